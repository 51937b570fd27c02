/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- jest globalSetup: runs outside n8n, shells out to the setup script and the build */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Once per `npm run test:e2e` (and test:e2e:1x, test:queue): installs the pinned n8n (a no-op when
 * cached: scripts/e2e/setup-n8n.sh, or setup-n8n-1x.sh when N8N_E2E_VERSION is a 1.x) and builds
 * the package (`npm run build`). E2E_SKIP_BUILD=1 skips the build.
 */
export default function globalSetup(): void {
	const repo = path.resolve(__dirname, '..', '..');
	const say = (text: string): void => {
		process.stderr.write(`[e2e] ${text}\n`);
	};
	const step = (name: string, file: string, args: string[]): void => {
		const t0 = Date.now();
		execFileSync(file, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: process.env.CI ?? 'true' } });
		say(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	};
	say('');
	const setup = (process.env.N8N_E2E_VERSION ?? '').startsWith('1.') ? 'setup-n8n-1x.sh' : 'setup-n8n.sh';
	step(setup, 'bash', [path.join(repo, 'scripts', 'e2e', setup)]);
	if (process.env.E2E_SKIP_BUILD === '1') say('npm run build: skipped (E2E_SKIP_BUILD=1)');
	else step('npm run build', 'npm', ['run', 'build', '--silent']);
}
