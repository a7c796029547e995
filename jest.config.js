/** Jest runs the TypeScript sources directly through ts-jest (CommonJS, like the build). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/skip-notice-reporter.js'],
};
