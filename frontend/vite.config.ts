/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In dev, proxy the API to a locally running `ecomm serve` (ECOMM_DEV_BACKEND, default :8081).
const backend = process.env.ECOMM_DEV_BACKEND ?? 'http://127.0.0.1:8081';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // keep hashed file names under /assets/ (nginx caches them for a year)
    assetsDir: 'assets',
  },
  server: {
    port: 5173,
    proxy: { '/api': backend, '/media': backend },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // typing whole checkout forms takes ~1 s alone, but several times that on a busy 2-core machine
    testTimeout: 20_000,
  },
});
