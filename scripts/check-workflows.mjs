#!/usr/bin/env node
// `npm run check:workflows`: every GitHub Actions workflow in .github/workflows/ checked against the
// workflow schema, offline, by action-validator (@action-validator/cli + core, pinned devDependencies;
// the schema is built into its WebAssembly module). Exits non-zero when any file is not a valid
// workflow, printing what is wrong. `node scripts/check-workflows.mjs FILE…` checks the given files.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(repo, '.github', 'workflows');
const files = process.argv.length > 2
	? process.argv.slice(2).map((file) => path.resolve(file))
	: readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => path.join(dir, name));
if (files.length === 0) {
	console.error(`no workflow files in ${dir}`);
	process.exit(1);
}
const cli = path.join(repo, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
let failed = 0;
for (const file of files) {
	const result = spawnSync(process.execPath, [cli, file], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	const ok = result.status === 0;
	if (!ok) failed += 1;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${path.relative(repo, file)}`);
	const output = `${result.stdout}${result.stderr}`.trim();
	if (!ok && output) console.log(output);
}
console.log(`workflows: ${files.length - failed} valid, ${failed} invalid`);
process.exit(failed === 0 ? 0 : 1);
