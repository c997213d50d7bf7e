import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm run dev` serves the UI with hot reload and sends the API paths to NGINX, like production.
// DTS_API_URL points it elsewhere, e.g. DTS_API_URL=http://localhost:8080 npm run dev.
const apiTarget = process.env.DTS_API_URL || 'http://localhost';
// Only the API's own prefixes with their slash: the UI's /buy and /sell views are not /buy/ and /sell/.
const proxy = { '^/(auth|user_utils|buy|sell)/': { target: apiTarget, changeOrigin: true } };

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: { outDir: 'dist', sourcemap: false },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup.ts'],
    restoreMocks: true,
  },
});
