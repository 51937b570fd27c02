/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- e2e helper: runs outside n8n, starts `n8n start` in a child process, waits on it with timers, and sets up a throwaway local owner password */
/**
 * A REAL n8n running as a server (`n8n start`), for tests that need HTTP: production webhooks,
 * the REST API, the editor in a browser. It runs on the user folder of an N8nSession (harness.ts),
 * so the package is loaded exactly as that session staged it ('custom' or 'installed').
 *
 *   const session = await N8nSession.create({ staging: 'installed' });
 *   await session.importCredentials([...]);          // CLI imports: do them BEFORE start()
 *   await session.importWorkflows([...]);
 *   const server = await N8nServer.start(session);   // free port, 127.0.0.1, ready when it returns
 *   await server.setupOwner();                       // POST /rest/owner/setup → auth cookie (or login)
 *   await server.activateWorkflow(workflowId);       // publish; returns once its webhooks answer
 *   const answer = await fetch(server.webhookUrl('my-path'), { method: 'POST', body: … });
 *   await server.stop();
 *
 * `server.rest(method, '/workflows', body)` calls any REST endpoint with the owner's cookie and
 * returns its `data`. Owner: OWNER below (n8n asks 8+ characters, a digit and a capital letter).
 * The server is started with N8N_SECURE_COOKIE=false, so a browser on http:// keeps the cookie.
 */
import type { N8nSession } from './harness';
import { freePort } from './harness';
import { N8nProcess } from './lib/n8nProcess';

export interface N8nOwner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

/** The instance owner setupOwner() creates by default. */
export const OWNER: N8nOwner = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'Sora2-e2e-password',
};

export interface N8nServerOptions {
	/** Port to listen on (127.0.0.1). Default: a free one. */
	port?: number;
	/** Extra environment for `n8n start` (on top of the session's). */
	env?: Record<string, string>;
	/** How long start() waits for the ready line. Default 120 s. */
	startTimeoutMs?: number;
	/** 'start' (default), or 'webhook': the queue-mode process that serves only production webhooks. */
	command?: 'start' | 'webhook';
}

/** The REST API answered with an HTTP error. */
export class N8nRestError extends Error {
	constructor(
		readonly status: number,
		readonly body: string,
		what: string,
	) {
		super(`${what} → HTTP ${status}: ${body.slice(0, 500)}`);
	}
}

const BROWSER_ID = 'n8n-nodes-sora2-e2e';

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

export class N8nServer {
	/** Auth cookie (`n8n-auth=…`) after setupOwner() or login(). */
	cookie: string | undefined;

	private constructor(
		/** e.g. http://127.0.0.1:5678 (no trailing slash) */
		readonly baseUrl: string,
		readonly port: number,
		/** The n8n process itself (its output, kill, stop). */
		readonly process: N8nProcess,
	) {}

	/**
	 * Starts `n8n start` (or, in queue mode, `n8n webhook`) on the session's user folder and resolves
	 * once it serves HTTP.
	 */
	static async start(session: N8nSession, options: N8nServerOptions = {}): Promise<N8nServer> {
		const port = options.port ?? (await freePort());
		const baseUrl = `http://127.0.0.1:${port}`;
		const proc = await N8nProcess.start(session, options.command ?? 'start', {
			timeoutMs: options.startTimeoutMs,
			env: {
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				N8N_EDITOR_BASE_URL: `${baseUrl}/`,
				N8N_SECURE_COOKIE: 'false',
				N8N_PERSONALIZATION_ENABLED: 'false',
				N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
				...options.env,
			},
		});
		// the ready line is printed once everything is up; /healthz confirms the HTTP side
		const health = await fetch(`${baseUrl}/healthz`).catch(() => undefined);
		if (!health?.ok) {
			proc.kill();
			throw new Error(`n8n /healthz answered ${health?.status ?? 'nothing'}\n${proc.output(60)}`);
		}
		return new N8nServer(baseUrl, port, proc);
	}

	/** What the server printed so far (its last `lines` lines). */
	output(lines = 200): string {
		return this.process.output(lines);
	}

	/** The production URL of a webhook path, e.g. webhookUrl('sora2-video'). */
	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath.replace(/^\/+/, '')}`;
	}

	/**
	 * Creates the instance owner (POST /rest/owner/setup) and keeps its auth cookie. When the
	 * instance has an owner already, logs in as `owner` instead.
	 */
	async setupOwner(owner: N8nOwner = OWNER): Promise<string> {
		const response = await this.request('POST', '/rest/owner/setup', owner);
		if (response.status === 400 && (await response.clone().text()).includes('already setup')) {
			return await this.login(owner);
		}
		await this.expectOk(response, 'POST /rest/owner/setup');
		return this.keepCookie(response, 'POST /rest/owner/setup');
	}

	/** POST /rest/login; keeps the auth cookie. */
	async login(owner: Pick<N8nOwner, 'email' | 'password'> = OWNER): Promise<string> {
		const response = await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
		await this.expectOk(response, 'POST /rest/login');
		return this.keepCookie(response, 'POST /rest/login');
	}

	/** Calls /rest<path> with the auth cookie; returns the answer's `data` (n8n wraps answers in it). */
	async rest(method: string, restPath: string, body?: unknown): Promise<unknown> {
		const what = `${method} /rest${restPath}`;
		const response = await this.request(method, `/rest${restPath}`, body);
		await this.expectOk(response, what);
		const json = (await response.json()) as unknown;
		return typeof json === 'object' && json !== null && 'data' in json ? json.data : json;
	}

	/**
	 * Publishes (activates) an imported workflow, and waits until the production webhooks of its
	 * Webhook nodes answer (n8n registers them a moment after the activation call returns).
	 */
	async activateWorkflow(workflowId: string, timeoutMs = 30_000): Promise<void> {
		const workflow = await this.rest('GET', `/workflows/${workflowId}`);
		if (!isRecord(workflow) || typeof workflow.versionId !== 'string') {
			throw new Error(`workflow ${workflowId} has no versionId`);
		}
		await this.rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
		const nodes = Array.isArray(workflow.nodes) ? workflow.nodes.filter(isRecord) : [];
		for (const node of nodes) {
			const parameters = isRecord(node.parameters) ? node.parameters : {};
			if (node.type !== 'n8n-nodes-base.webhook' || typeof parameters.path !== 'string') continue;
			const method = typeof parameters.httpMethod === 'string' ? parameters.httpMethod : 'GET';
			await this.waitForWebhook(parameters.path, method, timeoutMs);
		}
	}

	/**
	 * Waits until the production webhook `path` takes `method` requests. Asks with a CORS preflight
	 * (OPTIONS + Origin), which n8n answers from its webhook registry without running anything.
	 */
	async waitForWebhook(webhookPath: string, method = 'POST', timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let last = '';
		while (Date.now() < deadline) {
			const response = await fetch(this.webhookUrl(webhookPath), {
				method: 'OPTIONS',
				headers: { origin: this.baseUrl, 'access-control-request-method': method },
			});
			const allowed = response.headers.get('access-control-allow-methods') ?? '';
			if (response.status === 204 && allowed.split(/,\s*/).includes(method)) return;
			last = `${response.status} ${allowed || (await response.text()).slice(0, 200)}`;
			await sleep(200);
		}
		throw new Error(`webhook ${method} ${webhookPath} not registered after ${timeoutMs} ms (last answer: ${last})`);
	}

	/** Stops the server (SIGTERM, then SIGKILL after `graceMs`). */
	async stop(graceMs = 8000): Promise<void> {
		await this.process.stop(graceMs);
	}

	private async request(method: string, urlPath: string, body?: unknown): Promise<Response> {
		const headers: Record<string, string> = { 'browser-id': BROWSER_ID };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		return await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	}

	private async expectOk(response: Response, what: string): Promise<void> {
		if (!response.ok) throw new N8nRestError(response.status, await response.text(), what);
	}

	private keepCookie(response: Response, what: string): string {
		const auth = response.headers
			.getSetCookie()
			.map((header) => header.split(';')[0])
			.find((pair) => pair.startsWith('n8n-auth='));
		if (!auth) throw new Error(`${what} set no n8n-auth cookie`);
		this.cookie = auth;
		return auth;
	}
}
