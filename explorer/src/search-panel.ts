/** Find assets: id prefix or name, and kind, searched by the server (`assets(where)`), a page at a time. */
import { describeError, type Api } from './api';
import { statusColour } from './colours';
import { $, ago, announce, el } from './dom';
import { SEARCH, SEARCH_PAGE, type AssetWhere, type SearchData } from './operations';

export class SearchPanel {
  /** Cursors of the pages before the current one (the first page has none). */
  private cursors: (string | null)[] = [];
  private current: string | null = null;
  private next: string | null = null;
  private debounce: number | undefined;

  constructor(
    private readonly api: Api,
    private readonly open: (id: string) => void,
  ) {
    $('#search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.search();
    });
    $('#search-text').addEventListener('input', () => {
      window.clearTimeout(this.debounce);
      this.debounce = window.setTimeout(() => void this.search(), 300);
    });
    for (const id of ['#search-match', '#search-kind']) $(id).addEventListener('change', () => void this.search());
    $('#search-next').addEventListener('click', () => {
      if (!this.next) return;
      this.cursors.push(this.current);
      void this.load(this.next);
    });
    $('#search-prev').addEventListener('click', () => {
      if (!this.cursors.length) return;
      void this.load(this.cursors.pop() ?? null);
    });
  }

  setKinds(kinds: string[]): void {
    $('#search-kind').append(...kinds.map((k) => el('option', { value: k }, k)));
  }

  private where(): AssetWhere {
    const text = $<HTMLInputElement>('#search-text').value.trim();
    const match = $<HTMLSelectElement>('#search-match').value;
    const kind = $<HTMLSelectElement>('#search-kind').value;
    const where: AssetWhere = {};
    if (text) {
      if (match === 'name') where.nameContains = text;
      else where.idPrefix = text;
    }
    if (kind) where.kind = kind;
    return where;
  }

  search(): Promise<void> {
    this.cursors = [];
    return this.load(null);
  }

  private async load(after: string | null): Promise<void> {
    const count = $('#search-count');
    try {
      const { assets } = await this.api.request<SearchData>(SEARCH, { where: this.where(), first: SEARCH_PAGE, after });
      this.current = after;
      this.next = assets.pageInfo.hasNextPage ? (assets.pageInfo.endCursor ?? null) : null;
      const start = this.cursors.length * SEARCH_PAGE;
      const shown = assets.edges.length;
      count.textContent = assets.totalCount === 0 ? 'No asset matches.' : `${start + 1}–${start + shown} of ${assets.totalCount} assets`;
      $('#search-results tbody').replaceChildren(
        ...assets.edges.map(({ node }) =>
          el(
            'tr',
            { 'data-id': node.id },
            el(
              'td',
              {},
              el('button', { type: 'button', className: 'link', title: `Open the neighbourhood of ${node.id}`, onclick: () => this.open(node.id) }, node.id),
              node.name ? el('div', { className: 'muted small' }, node.name) : null,
            ),
            el('td', {}, node.kind),
            el('td', {}, el('span', { className: 'swatch', style: `background:${statusColour(node.status)}`, 'aria-hidden': 'true' }), ` ${node.status ?? 'UNKNOWN'}`),
            el('td', { className: node.stale ? 'stale-text' : '' }, `${node.freshness === null || node.freshness === undefined ? 'never' : ago(node.freshness)}${node.stale ? ' (stale)' : ''}`),
          ),
        ),
      );
      $<HTMLButtonElement>('#search-prev').disabled = this.cursors.length === 0;
      $<HTMLButtonElement>('#search-next').disabled = !this.next;
    } catch (err) {
      count.textContent = `Search failed: ${describeError(err)}`;
      announce(`Search failed: ${describeError(err)}`, 'error');
    }
  }
}
