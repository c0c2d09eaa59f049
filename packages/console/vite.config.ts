import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The console is built into dist/ and served by the gateway at `/` (same origin as the API and
 * the identity provider). For `vite dev` / `vite preview`, HONGLIAN_GATEWAY_URL names a running
 * suite (`npm start`, default http://localhost:8080) and the API, the realm and the console
 * configuration are proxied to it.
 */
const gateway = process.env.HONGLIAN_GATEWAY_URL ?? 'http://localhost:8080';
const proxy = Object.fromEntries(
  ['/api', '/realms', '/console-config.json'].map((path) => [path, { target: gateway, changeOrigin: true }]),
);

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 700 },
  server: { proxy },
  preview: { proxy },
});
