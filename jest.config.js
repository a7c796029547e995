/** Jest runs the TypeScript sources directly through ts-jest (CommonJS, like the build). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 30000,
  // Tests close what they open; this is a safety net so that a leaked socket can never hang CI.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/skip-notice-reporter.js'],
};
