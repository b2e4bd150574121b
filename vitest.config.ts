import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // __tests__/unit, __tests__/emulator and __tests__/e2e (see the README's Tests paragraph).
    include: ['__tests__/**/*.test.ts'],
    globalSetup: ['__tests__/setup/bundle.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks'
  }
})
