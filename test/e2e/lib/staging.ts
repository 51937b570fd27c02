/* eslint-disable @n8n/community-nodes/no-restricted-imports -- e2e harness: runs outside n8n and stages files with Node's own modules */
/** Staging the package the two ways users load it (custom extension, installed tarball). (part of the e2e harness: see ../harness.ts) */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { E2E_DIR, N8N_BIN, NODE24_BIN, REPO_DIR, ZOD_PROBE_DIR } from './paths';
import { execFileText } from './processes';


export function assertN8nInstalled(): void {
	if (!existsSync(NODE24_BIN) || !existsSync(N8N_BIN)) {
		throw new Error(
			`n8n is not installed in ${E2E_DIR}: run scripts/e2e/setup-n8n.sh (the e2e globalSetup does)`,
		);
	}
}

export function assertBuilt(): void {
	const pkg = path.join(REPO_DIR, 'dist');
	if (!existsSync(pkg)) throw new Error(`${pkg} is missing: run \`npm run build\` first`);
}

async function readJsonFile(file: string): Promise<unknown> {
	return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface PackageJson extends Record<string, unknown> {
	name: string;
	version: string;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
	const json = await readJsonFile(path.join(dir, 'package.json'));
	if (!isRecord(json) || typeof json.name !== 'string' || typeof json.version !== 'string') {
		throw new Error(`${dir}/package.json has no name/version`);
	}
	return { ...json, name: json.name, version: json.version };
}

/** Copies package.json + dist/ of the built repo into `dir` (what N8N_CUSTOM_EXTENSIONS points at). */
export async function stageCustomExtension(dir: string, options: { zodProbe?: boolean } = {}): Promise<string> {
	assertBuilt();
	await fs.mkdir(dir, { recursive: true });
	await fs.copyFile(path.join(REPO_DIR, 'package.json'), path.join(dir, 'package.json'));
	await fs.cp(path.join(REPO_DIR, 'dist'), path.join(dir, 'dist'), { recursive: true });
	if (options.zodProbe) {
		// n8n loads only ONE custom-extension folder in effect (each CustomDirectoryLoader is
		// registered as package "CUSTOM", the last one wins), and it globs **/*.node.js in it,
		// so the probe goes into the same folder.
		await fs.mkdir(path.join(dir, 'zod-probe'), { recursive: true });
		await fs.copyFile(
			path.join(ZOD_PROBE_DIR, 'nodes', 'ZodProbe.node.js'),
			path.join(dir, 'zod-probe', 'ZodProbe.node.js'),
		);
	}
	return dir;
}

const packed = new Map<string, Promise<string>>();

/**
 * `npm pack` of a package folder into .cache/n8n-e2e/packs/<hash of the folder>/ (once per folder per
 * test file): two checkouts sharing one n8n cache (e.g. a symlinked .cache/n8n-e2e) never overwrite
 * each other's tarball of the same version.
 */
export function npmPack(packageDir: string = REPO_DIR): Promise<string> {
	let tarball = packed.get(packageDir);
	if (!tarball) {
		tarball = (async () => {
			const dest = path.join(E2E_DIR, 'packs', createHash('sha256').update(packageDir).digest('hex').slice(0, 12));
			await fs.mkdir(dest, { recursive: true });
			const { stdout } = await execFileText(
				'npm',
				['pack', '--json', '--ignore-scripts', '--pack-destination', dest],
				{ cwd: packageDir },
			);
			const list = JSON.parse(stdout.slice(stdout.indexOf('['))) as unknown;
			const first = Array.isArray(list) ? (list[0] as unknown) : undefined;
			if (!isRecord(first) || typeof first.filename !== 'string') {
				throw new Error(`unexpected npm pack output: ${stdout}`);
			}
			return path.join(dest, first.filename);
		})();
		packed.set(packageDir, tarball);
	}
	return tarball;
}

/**
 * Installs a package tarball into <userFolder>/.n8n/nodes/ the way n8n 2.41's
 * CommunityPackagesService.downloadPackage() installs a community package:
 *   npm pack <name>@<version>                  (we already have the tarball)
 *   tar -xzf <tarball> -C nodes/node_modules/<name> --strip-components=1
 *   drop devDependencies, peerDependencies, optionalDependencies from its package.json
 *   npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
 *               --ignore-scripts=true --package-lock=false          (in the package folder)
 *   nodes/package.json: dependencies[<name>] = <version>
 * Returns the installed package folder.
 */
export async function installCommunityPackage(tarball: string, userFolder: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const unpackDir = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-e2e-unpack-'));
	try {
		await execFileText('tar', ['-xzf', tarball, '-C', unpackDir, '--strip-components=1'], { cwd: unpackDir });
		const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } =
			await readPackageJson(unpackDir);
		void devDependencies;
		void peerDependencies;
		void optionalDependencies;
		const packageDir = path.join(nodesDir, 'node_modules', packageJson.name);
		await fs.rm(packageDir, { recursive: true, force: true });
		await fs.mkdir(path.dirname(packageDir), { recursive: true });
		await fs.rename(unpackDir, packageDir);
		await fs.chmod(packageDir, 0o755); // mkdtemp made it 0700; n8n's mkdir makes 0755
		await fs.writeFile(path.join(packageDir, 'package.json'), JSON.stringify(packageJson, null, 2), 'utf8');
		await execFileText(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
			],
			{ cwd: packageDir },
		);
		const manifestPath = path.join(nodesDir, 'package.json');
		const manifest = existsSync(manifestPath) ? await readJsonFile(manifestPath) : undefined;
		const dependencies: Record<string, unknown> =
			isRecord(manifest) && isRecord(manifest.dependencies) ? { ...manifest.dependencies } : {};
		dependencies[packageJson.name] = packageJson.version;
		await fs.writeFile(
			manifestPath,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies }, null, 2),
			'utf8',
		);
		return packageDir;
	} finally {
		await fs.rm(unpackDir, { recursive: true, force: true });
	}
}
