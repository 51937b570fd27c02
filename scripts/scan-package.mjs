#!/usr/bin/env node
// n8n's community-package scanner (@n8n/scan-community-package), run on this repo's own `npm pack`
// tarball instead of a published version (`npm run scan`).
//
// The scanner's CLI takes only a package name: it reads the package's metadata from
// registry.npmjs.org, requires npm provenance (a publish from GitHub Actions with --provenance),
// downloads the attested source commit from codeload.github.com, downloads the tarball with
// `npm pack <name>@<version>`, and lints both. Offline, before a publish, the first three cannot
// work (the package is not on the registry yet, so it has no provenance either, and GitHub is not
// reachable). What can run is the analysis itself: the scanner's own `analyzePackage()` with its own
// ESLint config (n8n's community-nodes rules + eslint-plugin-n8n-nodes-base) over the same two
// legs it lints after download:
//   source leg:  package.json + {nodes,credentials}/**/*.{js,ts,json} of this checkout
//                (what the attested source commit would be)
//   tarball leg: **/*.js + package.json of the unpacked `npm pack` tarball
// The scanner is installed (pinned) into .cache/scanner/, outside package.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCANNER_VERSION = process.env.SCANNER_VERSION ?? '0.32.0';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(repo, '.cache', 'scanner');
const scannerModule = path.join(cacheDir, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');
const say = (text) => process.stdout.write(`[scan] ${text}\n`);

function installedVersion() {
	try {
		const pkg = path.join(cacheDir, 'node_modules', '@n8n', 'scan-community-package', 'package.json');
		return JSON.parse(readFileSync(pkg, 'utf8')).version;
	} catch {
		return undefined;
	}
}

if (installedVersion() !== SCANNER_VERSION || !existsSync(scannerModule)) {
	say(`installing @n8n/scan-community-package@${SCANNER_VERSION} into .cache/scanner …`);
	mkdirSync(cacheDir, { recursive: true });
	execFileSync(
		'npm',
		['install', '--prefix', cacheDir, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `@n8n/scan-community-package@${SCANNER_VERSION}`],
		{ stdio: ['ignore', 'inherit', 'inherit'] },
	);
}

const work = mkdtempSync(path.join(tmpdir(), 'sora2-scan-'));
let failed = false;
try {
	if (!existsSync(path.join(repo, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack made no tarball');
	const unpacked = path.join(work, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', unpacked, '--strip-components=1']);
	say(`packed ${tarball}`);

	// What the tarball holds: dist/ (no tests), README, LICENSE and package.json, nothing else.
	const files = execFileSync('tar', ['-tzf', path.join(work, tarball)], { encoding: 'utf8' })
		.split('\n')
		.filter(Boolean)
		.map((file) => file.replace(/^package\//, ''));
	const allowed = (file) => file.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE'].includes(file);
	const stray = files.filter((file) => !allowed(file) || /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[jt]s/.test(file));
	for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/nodes/Sora2/Sora2.node.js', 'dist/credentials/Sora2Api.credentials.js', 'dist/icons/sora2.svg', 'dist/icons/sora2.dark.svg', 'dist/nodes/Sora2/Sora2.node.json']) {
		if (!files.includes(needed)) stray.push(`(missing) ${needed}`);
	}
	if (stray.length) {
		failed = true;
		say(`❌ tarball contents: ${stray.join(', ')}`);
	} else {
		say(`✅ tarball contents: ${files.length} files, only dist/, README.md, LICENSE, package.json`);
	}

	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerModule).href);
	const legs = [
		{ name: `source (${SOURCE_FILE_PATTERNS.join(', ')})`, dir: repo, patterns: SOURCE_FILE_PATTERNS },
		{ name: 'tarball (**/*.js, package.json)', dir: unpacked, patterns: ['**/*.js', 'package.json'] },
	];
	for (const leg of legs) {
		const result = await analyzePackage(leg.dir, leg.patterns);
		if (result.passed) {
			say(`✅ ${leg.name}: no violations${result.message ? ` (${result.message})` : ''}`);
		} else {
			failed = true;
			say(`❌ ${leg.name}: ${result.message}`);
			if (result.details) process.stdout.write(`${result.details}\n`);
		}
	}
	say('not run offline: the provenance check and the source download (they need the published package on registry.npmjs.org and github.com)');
} finally {
	rmSync(work, { recursive: true, force: true });
}
if (failed) {
	say('FAILED');
	process.exit(1);
}
say(`@n8n/scan-community-package@${SCANNER_VERSION}: clean`);
