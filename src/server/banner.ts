/**
 * What `npm start` prints: commands that work as printed. With auth on, they carry an
 * `Authorization` header from the TWIN_TOKEN shell variable, which the user sets to a key or token.
 */
export function banner(url: string, { authOn, seedDemo }: { authOn: boolean; seedDemo: boolean }): string {
  const auth = authOn ? ` -H "authorization: Bearer $TWIN_TOKEN"` : '';
  const curl = (query: string) => `  curl -s ${url}${auth} -H 'content-type: application/json' \\\n    -d '${JSON.stringify({ query })}'`;
  const lines = [
    '',
    `Twin explorer: ${url.replace(/\/graphql$/, '/explorer')}  (open it in a browser: search, graph, what-if, scenarios)`,
    `Twin graph API: ${url}`,
    '  (POST GraphQL there; a browser gets the GraphQL sandbox. A plain GET from curl is refused as a possible CSRF.)',
    `  Health: curl -s ${url.replace(/\/graphql$/, '/readyz')}`,
  ];
  if (authOn) {
    lines.push('', 'Auth is on: set TWIN_TOKEN to an API key (AUTH_API_KEYS) or a JWT first:', "  export TWIN_TOKEN='<key or token>'");
    lines.push('  (the explorer asks for one in the browser, once per tab)');
  }
  if (seedDemo) {
    lines.push(
      '',
      'What depends on UPS A (three hops down)?',
      curl('{ asset(id: "ups-a") { name dependents(maxDepth: 3) { depth asset { id kind } } } }'),
      '',
      'What breaks if both PDUs of row 2 fail?',
      curl('{ impact(failed: ["pdu-r2-a", "pdu-r2-b"]) { down { asset { id kind } depth cause } atRisk { asset { id } } } }'),
    );
  } else {
    lines.push('', 'How many assets are there?', curl('{ assets(first: 1) { totalCount } }'));
  }
  return [...lines, ''].join('\n');
}
