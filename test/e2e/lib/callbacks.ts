/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- e2e harness: runs outside n8n, a local HTTP server (node:http) with timers */
/**
 * A caller's callback endpoint: a local HTTP server (127.0.0.1, free port) that keeps every JSON
 * body POSTed to it, for workflows that deliver results later (example 06). (part of the e2e harness: see ../harness.ts)
 */
import * as http from 'node:http';


export interface Callback {
	/** ms since the epoch when it arrived */
	at: number;
	path: string;
	body: unknown;
}

export interface CallbackReceiver {
	/** e.g. http://127.0.0.1:PORT/callback */
	readonly url: string;
	readonly received: Callback[];
	/** Resolves once `count` callbacks arrived (rejects after `timeoutMs`). */
	waitFor(count: number, timeoutMs?: number): Promise<Callback[]>;
	close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
	const received: Callback[] = [];
	const waiters = new Set<() => void>();
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			let body: unknown = text;
			try {
				body = JSON.parse(text) as unknown;
			} catch {
				// not JSON: keep the text
			}
			received.push({ at: Date.now(), path: request.url ?? '', body });
			response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			for (const wake of waiters) wake();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}/callback`,
		received,
		async waitFor(count: number, timeoutMs = 60_000): Promise<Callback[]> {
			if (received.length >= count) return received.slice();
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => {
					waiters.delete(wake);
					reject(new Error(`${received.length} of ${count} callbacks arrived within ${timeoutMs} ms: ${JSON.stringify(received)}`));
				}, timeoutMs);
				const wake = (): void => {
					if (received.length < count) return;
					clearTimeout(timer);
					waiters.delete(wake);
					resolve();
				};
				waiters.add(wake);
			});
			return received.slice();
		},
		async close(): Promise<void> {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
