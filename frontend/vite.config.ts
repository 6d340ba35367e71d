import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// `ccdeck serve` default address; the dev server forwards API, WebSocket and metrics calls to it.
const backend = "http://127.0.0.1:8484";

export default defineConfig({
  base: "/",
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "../src/ccdeck/web/static",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: backend, changeOrigin: true },
      "/metrics": { target: backend, changeOrigin: true },
      "/ws": {
        target: backend,
        ws: true,
        changeOrigin: true,
        // The backend refuses WebSocket upgrades from a foreign Origin; present the backend's own.
        configure: (proxy) => {
          proxy.on("proxyReqWs", (proxyReq) => proxyReq.setHeader("origin", backend));
        },
      },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
