// Vite: the staff interface and the citizen portal, one SPA (history mode).
// Element Plus components are imported per page by unplugin-vue-components
// (each page's chunk carries the components and styles it uses); `npm run dev`
// proxies the API to a local `doudi serve` (DOUDI_URL, default
// http://127.0.0.1:8080).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import AutoImport from 'unplugin-auto-import/vite';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

const target = process.env.DOUDI_URL || 'http://127.0.0.1:8080';

export default defineConfig({
	plugins: [
		vue(),
		AutoImport({ resolvers: [ElementPlusResolver()], dts: false }),
		Components({ resolvers: [ElementPlusResolver()], dts: false }),
	],
	server: {
		proxy: {
			'/api/': { target, changeOrigin: false },
			'/healthz': { target },
		},
	},
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		chunkSizeWarningLimit: 800,
	},
});
