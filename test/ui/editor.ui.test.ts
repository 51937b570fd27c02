/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console -- browser test: runs outside n8n (no node context for NodeApiError), drives Chromium, writes screenshots with node:fs and prints what it saw */
/**
 * The Sora2 node in the REAL n8n editor (`npm run test:ui`): the pinned n8n 2.41.1 is started as a
 * server with the package installed the way users install it (test/e2e/server.ts), the owner is set
 * up through n8n's REST API, and headless Chromium (Debian's `chromium`, driven by playwright-core)
 * adds the node to a new workflow and reads what a person sees in the node's panel.
 *
 * Screenshots go to test/ui/screenshots/ (git-ignored). Any console error or uncaught page error
 * fails the suite, and so does any failed request for the node's icons.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';
import { chromium, selectors } from 'playwright-core';

import type { MockServer } from '../mock-server/server';
import { N8nSession, killAllN8n, nodeType, startMock, stopMock } from '../e2e/harness';
import { N8nServer, OWNER } from '../e2e/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, 'screenshots');
/** Without the background-networking flags Chromium floods the closed network with requests. */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const CREDENTIAL_NAME = 'Sora2 (mock)';
/** The editor is a big bundle: on 2 busy cores its first load takes up to a minute. */
const LOAD_TIMEOUT = 150_000;
const STEP_TIMEOUT = 30_000;

/**
 * An auth cookie the browser can use. n8n binds a session to the `browser-id` header of the login
 * request (the editor sends its own, random one from localStorage), so the owner logs in again here
 * without that header: a session bound to no browser id.
 */
async function browserCookie(server: N8nServer): Promise<string> {
	const response = await fetch(`${server.baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	if (!response.ok) throw new Error(`POST /rest/login → ${response.status}: ${await response.text()}`);
	const auth = response.headers
		.getSetCookie()
		.map((header) => header.split(';')[0])
		.find((pair) => pair.startsWith('n8n-auth='));
	if (!auth) throw new Error('POST /rest/login set no n8n-auth cookie');
	return auth;
}

/**
 * What is not the node's doing and cannot work on a closed network: for an installed community
 * package the editor itself asks the public npm registry about the package (its update check).
 */
const OFFLINE_NOISE = [/https:\/\/registry\.npmjs\.org\//];

interface BrowserProblem {
	kind: 'console' | 'pageerror' | 'request';
	text: string;
}

describe('the Sora2 node in the real n8n editor (Chromium)', () => {
	let mock: MockServer | undefined;
	let session: N8nSession | undefined;
	let server: N8nServer | undefined;
	let context: BrowserContext | undefined;
	let userDataDir: string | undefined;
	let page: Page;
	const problems: BrowserProblem[] = [];
	/** Set once the first test has the node's panel open; the later tests need it (fail fast without). */
	let panelOpen = false;
	const needPanel = (): void => {
		if (!panelOpen) throw new Error('the Sora2 node was not added to the workflow (see the first test)');
	};
	const started = Date.now();
	const log = (text: string): void => console.log(`[ui ${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);

	// ---------------------------------------------------------------------------------------
	// Reading the node's panel
	// ---------------------------------------------------------------------------------------

	const byTestId = (id: string) => page.getByTestId(id);

	/** The labels of the visible fields in the Parameters tab, top to bottom. */
	async function fieldLabels(): Promise<string[]> {
		const texts = await page.locator('[data-test-id=node-parameters] [data-test-id=input-label]:visible').allInnerTexts();
		return texts.map((text) => text.split('\n')[0].trim());
	}

	/** The texts of the visible notices in the Parameters tab. */
	async function notices(): Promise<string[]> {
		return await page.locator('[data-test-id=node-parameters] .notice:visible').allInnerTexts();
	}

	/** The names (first lines) of the options of an open dropdown. */
	async function openOptionNames(): Promise<string[]> {
		const items = page.locator('.el-select-dropdown__item:visible');
		await items.first().waitFor({ timeout: STEP_TIMEOUT });
		return (await items.allInnerTexts()).map((text) => text.split('\n')[0].trim());
	}

	/** Opens the dropdown of an options field and returns its option names; leaves it open. */
	async function openOptions(parameter: string): Promise<string[]> {
		await byTestId(`parameter-input-${parameter}`).click();
		return await openOptionNames();
	}

	async function closeDropdown(): Promise<void> {
		await page.keyboard.press('Escape');
		await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
	}

	/** Chooses `name` in an options field, the way a person does. */
	async function choose(parameter: string, name: string): Promise<void> {
		const names = await openOptions(parameter);
		const index = names.indexOf(name);
		if (index === -1) throw new Error(`"${name}" is not among the options of ${parameter}: ${names.join(', ')}`);
		await page.locator('.el-select-dropdown__item:visible').nth(index).click();
		await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
	}

	/** The text an options field shows as its value. */
	async function shownValue(parameter: string): Promise<string> {
		return await byTestId(`parameter-input-${parameter}`).locator('input').first().inputValue();
	}

	/** The resource locator of a parameter (version 2's Model). */
	const locator = (parameter: string) => byTestId(`resource-locator-${parameter}`);

	/** The text box of an n8n input whose test id is `testId` (the id sits on the box itself or on its wrapper). */
	const textBox = (scope: ReturnType<Page['locator']> | Page, testId: string) => scope.locator(`input[data-test-id=${testId}], [data-test-id=${testId}] input`).first();

	/** The text a resource locator shows as its value. */
	async function locatorValue(parameter: string): Promise<string> {
		return await textBox(locator(parameter), 'rlc-input').inputValue();
	}

	/** Opens a resource locator's "From List" and returns the names of its items (loaded from the API); leaves it open. */
	async function openLocatorList(parameter: string): Promise<string[]> {
		await textBox(locator(parameter), 'rlc-input').click();
		const items = page.locator('[data-test-id=rlc-item]:visible');
		await items.first().waitFor({ timeout: STEP_TIMEOUT });
		return (await items.allInnerTexts()).map((text) => text.split('\n')[0].trim());
	}

	/** Picks a resource locator's mode (e.g. "By ID") the way a person does. */
	async function chooseLocatorMode(parameter: string, mode: string): Promise<void> {
		await locator(parameter).getByTestId('rlc-mode-selector').click();
		const names = await openOptionNames();
		const index = names.indexOf(mode);
		if (index === -1) throw new Error(`"${mode}" is not among the modes of ${parameter}: ${names.join(', ')}`);
		await page.locator('.el-select-dropdown__item:visible').nth(index).click();
		await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
	}

	async function toggle(parameter: string): Promise<void> {
		await byTestId(`parameter-input-${parameter}`).locator('.el-switch').click();
	}

	/** Retries `check` until it passes (the panel re-renders a moment after a change). */
	async function eventually(check: () => Promise<void>, timeoutMs = STEP_TIMEOUT): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			try {
				await check();
				return;
			} catch (error) {
				if (Date.now() > deadline) throw error;
				await page.waitForTimeout(250);
			}
		}
	}

	/**
	 * Saves the whole window as <name>.png, and the part a person looks at (the nodes panel, or the
	 * node's Parameters column with any open dropdown) as <name>.panel.png (what docs/images/ shows).
	 */
	async function screenshot(name: string, panel?: 'node-creator' | 'parameters'): Promise<void> {
		const file = path.join(SCREENSHOTS, `${name}.png`);
		await page.screenshot({ path: file });
		const box = panel ? await (panel === 'node-creator' ? byTestId('node-creator') : byTestId('node-parameters')).boundingBox() : null;
		if (box) {
			const top = panel === 'parameters' ? Math.max(0, box.y - 45) : box.y; // with the Parameters/Settings tabs
			const clip = { x: box.x, y: top, width: box.width, height: Math.min(box.y + box.height, 860) - top };
			await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.panel.png`), clip });
		}
		log(`screenshot ${path.relative(process.cwd(), file)}`);
	}

	// ---------------------------------------------------------------------------------------
	// n8n + Chromium
	// ---------------------------------------------------------------------------------------

	beforeAll(async () => {
		if (!existsSync(CHROMIUM)) {
			throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)`);
		}
		rmSync(SCREENSHOTS, { recursive: true, force: true }); // no stale screenshot of an earlier run
		mkdirSync(SCREENSHOTS, { recursive: true });
		mock = await startMock();
		session = await N8nSession.create({ staging: 'installed' });
		log('package installed into a fresh n8n user folder');
		server = await N8nServer.start(session);
		log(`n8n serving at ${server.baseUrl}`);
		await server.setupOwner();
		const cookie = await browserCookie(server);
		await server.rest('POST', '/credentials', {
			name: CREDENTIAL_NAME,
			type: 'sora2Api',
			data: { apiKey: 'test-key', baseUrl: mock.baseUrl },
		});
		log('owner set up and a Sora2 API credential created through the REST API');

		selectors.setTestIdAttribute('data-test-id'); // n8n's attribute; before any page exists
		userDataDir = mkdtempSync(path.join(os.tmpdir(), 'sora2-ui-chromium-'));
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_FLAGS,
			viewport: { width: 1280, height: 860 },
		});
		const [name, ...value] = cookie.split('=');
		await context.addCookies([{ name, value: value.join('='), url: server.baseUrl }]);
		page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(STEP_TIMEOUT);
		page.on('console', (message) => {
			if (message.type() === 'error') {
				const where = message.location().url;
				problems.push({ kind: 'console', text: `${message.text()}${where ? ` (${where})` : ''}` });
			}
		});
		page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: error.stack ?? error.message }));
		page.on('response', (response) => {
			if (/sora2/i.test(response.url()) && response.status() >= 400) {
				problems.push({ kind: 'request', text: `${response.status()} ${response.url()}` });
			}
		});
		page.on('requestfailed', (request) => {
			if (/sora2/i.test(request.url())) problems.push({ kind: 'request', text: `failed ${request.url()}` });
		});

		await page.goto(`${server.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
		try {
			await byTestId('canvas-add-button').waitFor({ timeout: LOAD_TIMEOUT });
		} catch (error) {
			await screenshot('00-editor-did-not-load');
			throw new Error(`the editor did not load (at ${page.url()}): ${String(error)}`);
		}
		log('editor loaded');
	}, 420_000);

	afterAll(async () => {
		if (problems.length) log(`browser problems:\n${problems.map((p) => `  [${p.kind}] ${p.text}`).join('\n')}`);
		await context?.close().catch(() => undefined);
		if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
		if (server) await server.stop();
		if (session) await session.dispose();
		killAllN8n();
		await stopMock(mock);
		log('done');
	}, 60_000);

	// ---------------------------------------------------------------------------------------
	// What a person sees
	// ---------------------------------------------------------------------------------------

	test('the nodes panel finds Sora2 by name and lists its three actions', async () => {
		await byTestId('canvas-add-button').click();
		await byTestId('node-creator-search-bar').fill('Sora2');
		const sora2 = byTestId('node-creator-item-name').getByText('Sora2', { exact: true });
		await sora2.waitFor();
		await sora2.click();
		const actions = page.locator('[data-test-id=node-creator-action-item], [data-test-id=item-iterator-item]').getByTestId('node-creator-item-name');
		await eventually(async () => {
			expect(await actions.allInnerTexts()).toEqual(expect.arrayContaining(['Chat completion', 'Create a video', 'Get a video task']));
		});
		await screenshot('01-node-creator', 'node-creator');
		await byTestId('node-creator-item-name').getByText('Create a video', { exact: true }).click();
		await byTestId('ndv').waitFor();
		await byTestId('resource-locator-model').waitFor();
		panelOpen = true;
		expect(await byTestId('node-credentials-select').locator('input').first().inputValue()).toBe(CREDENTIAL_NAME);
		// the node's icon rendered (served from the installed package)
		const icons = await page
			.locator('img[src*="sora2"]')
			.evaluateAll((images) =>
				images.map((image) => ({ src: image.getAttribute('src'), width: 'naturalWidth' in image ? Number(image.naturalWidth) : 0 })),
			);
		expect(icons.length).toBeGreaterThan(0);
		for (const icon of icons) expect(icon.width).toBeGreaterThan(0);
		const iconDir = `/icons/${nodeType('installed', 'sora2').split('.')[0]}/dist/icons`;
		expect(icons.map((icon) => icon.src)).toContain(`${iconDir}/sora2.svg`);
		// the dark theme's icon is served too
		const dark = await page.request.get(`${page.url().split('/workflow')[0]}${iconDir}/sora2.dark.svg`);
		expect(dark.status()).toBe(200);
		expect(await dark.text()).toContain('<svg');
	});

	test('Create (a new node is version 2) with sora-2: the video fields, Image Files, sizes small and large, 10 and 15 s', async () => {
		needPanel();
		expect(await shownValue('resource')).toBe('Video');
		expect(await shownValue('operation')).toBe('Create');
		expect(await locatorValue('model')).toBe('sora-2');
		expect(await fieldLabels()).toEqual([
			'Resource',
			'Operation',
			'Model',
			'Prompt',
			'Orientation',
			'Size',
			'Duration',
			'Image URLs',
			'Image Files',
			'Wait for Completion',
			'Poll Interval (Seconds)',
			'Max Wait (Seconds)',
			'Download Video',
			'Options',
		]);
		expect(await notices()).toEqual([]);
		expect(await openOptions('orientation')).toEqual(['Landscape (16:9)', 'Portrait (9:16)']);
		await closeDropdown();
		expect(await openOptions('duration')).toEqual(['10 Seconds', '15 Seconds']);
		await closeDropdown();
		expect(await openOptions('size')).toEqual(['Large (1080p)', 'Small (720p)']);
		await screenshot('02-create-sora-2', 'parameters');
		await closeDropdown();
	});

	test("Model From List: the gateway's models (GET /models at the mock), video models first, searchable", async () => {
		needPanel();
		mock?.resetStats();
		expect(await openLocatorList('model')).toEqual([
			'Sora 2 (sora-2)',
			'Sora 2 Pro (sora-2-pro)',
			'sora-2-hd',
			'sora-2-landscape-15s',
			'sora-2-pro-hd',
			'veo-3-fast',
			'dall-e-3',
			'gpt-4o-mini',
			'text-embedding-3-small',
		]);
		expect(mock?.requestLog().map((entry) => entry.request)).toContain('GET /v1/models');
		await screenshot('02b-model-list', 'parameters');
		await textBox(page, 'rlc-search').fill('hd');
		await eventually(async () => expect((await page.locator('[data-test-id=rlc-item]:visible').allInnerTexts()).map((text) => text.trim())).toEqual(['sora-2-hd', 'sora-2-pro-hd']));
		await textBox(page, 'rlc-search').fill('');
		await eventually(async () => expect(await page.locator('[data-test-id=rlc-item]:visible').count()).toBe(9));
		await page.keyboard.press('Escape');
	});

	test('Create with sora-2-pro picked from the list: only large and 15 s, and a notice that it costs more', async () => {
		needPanel();
		await openLocatorList('model');
		await page.locator('[data-test-id=rlc-item]:visible').getByText('Sora 2 Pro (sora-2-pro)', { exact: true }).click();
		await eventually(async () => expect(await notices()).toEqual([
			'Sora 2 Pro renders only 1080p (large) videos of 15 seconds, and costs more per video than Sora 2.',
		]));
		expect(await locatorValue('model')).toBe('Sora 2 Pro (sora-2-pro)');
		expect(await shownValue('size')).toBe('Large (1080p)');
		expect(await shownValue('duration')).toBe('15 Seconds');
		expect(await openOptions('duration')).toEqual(['15 Seconds']);
		await closeDropdown();
		expect(await openOptions('size')).toEqual(['Large (1080p)']);
		await screenshot('03-create-sora-2-pro', 'parameters');
		await closeDropdown();
	});

	test('a model typed By ID that the node does not know: a notice, the documented sizes, any duration', async () => {
		needPanel();
		await chooseLocatorMode('model', 'By ID');
		const input = textBox(locator('model'), 'rlc-input');
		await input.fill('sora-2-hd');
		await input.press('Tab');
		await eventually(async () => {
			expect(await notices()).toEqual([
				'The node does not know this model: Size and Duration are sent as chosen, and the gateway decides what it takes (its refusal is shown if it takes something else)',
			]);
			expect(await fieldLabels()).toEqual(expect.arrayContaining(['Size', 'Duration (Seconds)']));
		});
		expect(await fieldLabels()).not.toContain('Duration');
		expect(await openOptions('size')).toEqual(['Large (1080p)', 'Small (720p)']);
		await closeDropdown();
		await screenshot('03b-model-by-id', 'parameters');
		// a known id typed by hand gets that model's fields again
		await input.fill('sora-2');
		await input.press('Tab');
		await eventually(async () => {
			expect(await notices()).toEqual([]);
			expect(await fieldLabels()).toContain('Duration');
		});
		expect(await openOptions('duration')).toEqual(['10 Seconds', '15 Seconds']);
		await closeDropdown();
	});

	test("Image Files: the binary field names, with the hint that the API documents only links; Create's Options", async () => {
		needPanel();
		const files = byTestId('parameter-input-imageFiles');
		expect(await files.locator('input').first().getAttribute('placeholder')).toBe('e.g. data, or data, image_1');
		const field = files.locator('xpath=ancestor::*[@data-test-id="parameter-item"][1]');
		expect(await field.innerText()).toContain('The API documents only image links');
		const addOption = page.locator('[data-test-id=node-parameters] [data-test-id=collection-parameter-add]:visible').last();
		await addOption.click();
		expect(await openOptionNames()).toEqual([
			'Additional Body Fields',
			'Max Concurrent Requests',
			'Max Image Size (MB)',
			'Max Requests per Minute',
			'Max Retries',
			'Request Timeout (Seconds)',
			'Unique Key',
		]);
		await closeDropdown();
		await screenshot('03c-image-files', 'parameters');
	});

	test('Wait for Completion: a hint that waiting takes minutes; its options only while it is on', async () => {
		needPanel();
		const waitField = byTestId('parameter-input-waitForCompletion').locator('xpath=ancestor::*[@data-test-id="parameter-item"][1]');
		expect(await waitField.innerText()).toContain('Generating a video takes minutes');
		await toggle('waitForCompletion');
		await eventually(async () => {
			const labels = await fieldLabels();
			expect(labels).toContain('Wait for Completion');
			expect(labels).not.toContain('Poll Interval (Seconds)');
			expect(labels).not.toContain('Max Wait (Seconds)');
			expect(labels).not.toContain('Download Video');
		});
		await toggle('waitForCompletion');
		await eventually(async () => expect(await fieldLabels()).toContain('Max Wait (Seconds)'));
		await toggle('downloadVideo');
		await eventually(async () => expect(await fieldLabels()).toContain('Put Output File in Field'));
		await toggle('downloadVideo');
		await eventually(async () => expect(await fieldLabels()).not.toContain('Put Output File in Field'));
	});

	test('Get Task shows only Task ID and the wait options', async () => {
		needPanel();
		expect(await openOptions('operation')).toEqual(['Create', 'Get Task', 'Custom API Call']);
		await closeDropdown();
		await choose('operation', 'Get Task');
		await eventually(async () => expect(await fieldLabels()).toEqual(['Resource', 'Operation', 'Task ID', 'Wait for Completion', 'Options']));
		expect(await notices()).toEqual([]);
		await toggle('waitForCompletion');
		await eventually(async () =>
			expect(await fieldLabels()).toEqual([
				'Resource',
				'Operation',
				'Task ID',
				'Wait for Completion',
				'Poll Interval (Seconds)',
				'Max Wait (Seconds)',
				'Download Video',
				'Options',
			]),
		);
		expect(await byTestId('parameter-input-taskId').locator('input').first().getAttribute('placeholder')).toBe(
			'e.g. sora-2:task_01k6x15vhrff09dkkqjrzwhm60',
		);
		await screenshot('04-get-task', 'parameters');
	});

	test('Chat shows the chat fields', async () => {
		needPanel();
		expect(await openOptions('resource')).toEqual(['Chat', 'Video', 'Custom API Call']);
		await closeDropdown();
		await choose('resource', 'Chat');
		await eventually(async () =>
			expect(await fieldLabels()).toEqual([
				'Resource',
				'Operation',
				'Model',
				'Specify Messages',
				'Messages',
				'Role',
				'Content',
				'Tools',
				'Tool Choice',
				'Options',
			]),
		);
		expect(await shownValue('operation')).toBe('Completion');
		expect(await byTestId('parameter-input-chatModel').locator('input').first().inputValue()).toBe('sora-2');
		expect(await byTestId('parameter-input-tools').locator('input').first().inputValue()).toBe('function:generate_animate');
		expect(await openOptions('toolChoice')).toEqual(['Auto', 'Function', 'None', 'Required']);
		await closeDropdown();
		await choose('toolChoice', 'Function');
		await eventually(async () => expect(await fieldLabels()).toContain('Function Name'));
		await choose('toolChoice', 'Auto');
		await eventually(async () => expect(await fieldLabels()).not.toContain('Function Name'));
		await choose('specifyMessages', 'Using JSON');
		await eventually(async () => {
			const labels = await fieldLabels();
			expect(labels).toContain('Messages (JSON)');
			expect(labels).not.toContain('Role');
		});
		await choose('specifyMessages', 'Using Fields Below');
		await eventually(async () => expect(await fieldLabels()).toContain('Role'));
		await screenshot('05-chat', 'parameters');
		// the chat's options, in the order the lint wants (alphabetical)
		const addOption = page.locator('[data-test-id=node-parameters] [data-test-id=collection-parameter-add]:visible').last();
		await addOption.click();
		expect(await openOptionNames()).toEqual([
			'Additional Body Fields',
			'Max Concurrent Requests',
			'Max Requests per Minute',
			'Max Retries',
			'Max Tokens',
			'Request Timeout (Seconds)',
			'Simplify Output',
			'Stream',
			'Temperature',
		]);
		await closeDropdown();
	});

	test('no console error, page error or failed icon request in the browser', () => {
		const ignored = problems.filter((problem) => OFFLINE_NOISE.some((pattern) => pattern.test(problem.text)));
		if (ignored.length) log(`ignored (the editor's own npm registry lookup, offline): ${ignored.length}`);
		expect(problems.filter((problem) => !ignored.includes(problem))).toEqual([]);
	});
});
