/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test: runs outside n8n and reads the source tree with node:fs and the TypeScript compiler */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The shape of the code, checked on every `npm test`:
 * - each folder of nodes/Sora2 imports only the folders it may (`MAY_IMPORT`): operations
 *   (actions) → field blocks (descriptions) → the domains (video, chat: never each other) → the
 *   batch run (run) → tasks (task) → HTTP (transport) → config and shared, which import nothing of
 *   ours but shared; the map itself points down only (no cycle);
 * - each folder uses only the packages it may (`PACKAGES_ALLOWED`);
 * - no function in nodes/ or credentials/ is longer than 60 lines;
 * - no value (function, constant, class) is exported that no other source file imports: tests and
 *   scripts do not count as users, nor do barrels (`index.ts` files that only re-export).
 * `checkImports` / `longFunctions` / `unusedExports` take the file texts, so the checks themselves
 * are tested below on planted violations.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const NODE_ROOT = path.join(ROOT, 'nodes', 'Sora2');
const MAX_FUNCTION_LINES = 60;

/** The folders each folder of nodes/Sora2 may import (its own always). `.` is the node class beside them. */
const MAY_IMPORT: Record<string, readonly string[]> = {
	shared: [],
	config: ['shared'],
	transport: ['shared'],
	task: ['shared', 'config', 'transport'],
	run: ['shared', 'config', 'transport', 'task'],
	video: ['shared', 'config', 'transport', 'task', 'run'],
	chat: ['shared', 'config', 'transport', 'task', 'run'],
	descriptions: ['shared', 'config'],
	actions: ['shared', 'config', 'transport', 'task', 'run', 'video', 'chat', 'descriptions'],
	'.': ['shared', 'config', 'video', 'actions'],
};

/** Packages each folder may import (anything else from node_modules is an error everywhere). */
const PACKAGES_ALLOWED: Record<string, readonly string[]> = {
	shared: [],
	config: [],
	transport: ['n8n-workflow', 'zod'],
	// crypto: the hash of a request the task memory keeps instead of the request (n8n's lint allows it)
	task: ['n8n-workflow', 'crypto'],
	run: ['n8n-workflow'],
	video: ['n8n-workflow', 'crypto'],
	chat: ['n8n-workflow', 'zod'],
	descriptions: ['n8n-workflow'],
	actions: ['n8n-workflow'],
	'.': ['n8n-workflow'],
};

type Sources = Map<string, string>;

function walk(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return walk(full);
		return entry.name.endsWith('.ts') ? [full] : [];
	});
}

function readSources(dirs: string[]): Sources {
	return new Map(dirs.flatMap(walk).map((file) => [file, fs.readFileSync(file, 'utf8')]));
}

/** The folder of nodes/Sora2 a file is in ('.' for the node class beside them), or undefined outside it. */
function folderOf(file: string): string | undefined {
	const relative = path.relative(NODE_ROOT, file).split(path.sep);
	if (relative[0] === '..') return undefined;
	// a folder itself (its barrel: `import … from '../transport'`) or a file in it; else the node class beside them
	if (relative.length > 1 || Object.prototype.hasOwnProperty.call(MAY_IMPORT, relative[0])) return relative[0];
	return '.';
}

function importsOf(text: string): string[] {
	return ts.preProcessFile(text, true, true).importedFiles.map((entry) => entry.fileName);
}

/** Every import a folder may not make (another folder, or a package), as "file → import (why)". */
function checkImports(sources: Sources): string[] {
	const problems: string[] = [];
	for (const [file, text] of sources) {
		const folder = folderOf(file);
		if (folder === undefined) continue;
		const allowed = MAY_IMPORT[folder];
		if (!allowed) {
			problems.push(`${path.relative(ROOT, file)}: the folder "${folder}" has no import rule`);
			continue;
		}
		for (const spec of importsOf(text)) {
			if (!spec.startsWith('.')) {
				if (!(PACKAGES_ALLOWED[folder] ?? []).includes(spec)) problems.push(`${path.relative(ROOT, file)} → package ${spec} (not allowed in ${folder})`);
				continue;
			}
			const target = folderOf(path.resolve(path.dirname(file), spec));
			if (target === folder) continue;
			if (target === undefined || !allowed.includes(target)) {
				problems.push(`${path.relative(ROOT, file)} → ${spec} (${folder} must not import ${target ?? 'code outside nodes/Sora2'})`);
			}
		}
	}
	return problems;
}

/** The folders in an order where each imports only folders before it; throws on a cycle. */
function importOrder(rules: Record<string, readonly string[]>): string[] {
	const order: string[] = [];
	const visiting = new Set<string>();
	const visit = (folder: string, trail: string[]) => {
		if (order.includes(folder)) return;
		if (visiting.has(folder)) throw new Error(`import rules form a cycle: ${[...trail, folder].join(' → ')}`);
		visiting.add(folder);
		for (const below of rules[folder] ?? []) visit(below, [...trail, folder]);
		visiting.delete(folder);
		order.push(folder);
	};
	for (const folder of Object.keys(rules)) visit(folder, []);
	return order;
}

/** Every function, method or arrow function longer than the limit, as "file:line name (N lines)". */
function longFunctions(sources: Sources, limit = MAX_FUNCTION_LINES): string[] {
	const problems: string[] = [];
	for (const [file, text] of sources) {
		const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
		const visit = (node: ts.Node) => {
			if (ts.isFunctionLike(node) && 'body' in node && node.body) {
				const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
				const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
				const lines = end - start + 1;
				const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
				if (lines > limit) problems.push(`${path.relative(ROOT, file)}:${start + 1} ${name} (${lines} lines)`);
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	return problems;
}

function exportedNames(text: string): string[] {
	const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true);
	const names: string[] = [];
	for (const statement of source.statements) {
		const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
		if (!modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
		// types and interfaces name the shapes of a module's functions; only values can be dead code
		if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) continue;
		if (ts.isVariableStatement(statement)) {
			for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
		} else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
			names.push((statement.name as ts.Identifier).text);
		}
	}
	return names;
}

/** A barrel: an `index.ts` made only of re-exports (`export … from`). */
function isBarrel(file: string, text: string): boolean {
	if (path.basename(file) !== 'index.ts') return false;
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
	return source.statements.every((statement) => ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined);
}

/**
 * Exports no other source file imports (the node and credential classes n8n loads are used by n8n
 * itself). A barrel's re-export is not a use: the name must be imported by a file that is not one.
 */
function unusedExports(sources: Sources, loadedByN8n: readonly string[]): string[] {
	const problems: string[] = [];
	const users = [...sources].filter(([file, text]) => !isBarrel(file, text));
	for (const [file, text] of users) {
		for (const name of exportedNames(text)) {
			if (loadedByN8n.includes(name)) continue;
			const pattern = new RegExp(`import\\s[^;]*\\b${name}\\b[^;]*from\\s`);
			const used = users.some(([other, otherText]) => other !== file && pattern.test(otherText));
			if (!used) problems.push(`${path.relative(ROOT, file)}: ${name}`);
		}
	}
	return problems;
}

const nodeSources = readSources([NODE_ROOT, path.join(ROOT, 'credentials')]);

describe('the code as it is', () => {
	test('each folder imports only the folders and packages it may', () => {
		expect(checkImports(nodeSources)).toEqual([]);
	});

	test('the import rules point down only: no cycle', () => {
		expect(importOrder(MAY_IMPORT)).toEqual(expect.arrayContaining(Object.keys(MAY_IMPORT)));
	});

	test('video and chat do not import each other', () => {
		expect(MAY_IMPORT.video).not.toContain('chat');
		expect(MAY_IMPORT.chat).not.toContain('video');
	});

	test(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
		expect(longFunctions(nodeSources)).toEqual([]);
	});

	test('every export is imported by another source file (tests, scripts and barrels do not count)', () => {
		expect(unusedExports(nodeSources, ['Sora2', 'Sora2Api', 'description', 'execute'])).toEqual([]);
	});
});

describe('the checks catch what they are for', () => {
	const at = (...parts: string[]) => path.join(NODE_ROOT, ...parts);

	test('an import from transport up into task', () => {
		const planted: Sources = new Map([[at('transport', 'planted.ts'), "import { TaskReader } from '../task/reader';\n"]]);
		expect(checkImports(planted)).toEqual(['nodes/Sora2/transport/planted.ts → ../task/reader (transport must not import task)']);
	});

	test('video importing chat, chat importing video, a package transport may not use, a folder with no rule', () => {
		const planted: Sources = new Map([
			[at('video', 'a.ts'), "import { completeChat } from '../chat/completion';\n"],
			[at('chat', 'b.ts'), "import { createVideo } from '../video/createVideo';\n"],
			[at('transport', 'c.ts'), "import lodash from 'lodash';\n"],
			[at('helpers', 'd.ts'), "export const X = 1;\n"],
		]);
		expect(checkImports(planted)).toEqual([
			'nodes/Sora2/video/a.ts → ../chat/completion (video must not import chat)',
			'nodes/Sora2/chat/b.ts → ../video/createVideo (chat must not import video)',
			'nodes/Sora2/transport/c.ts → package lodash (not allowed in transport)',
			'nodes/Sora2/helpers/d.ts: the folder "helpers" has no import rule',
		]);
	});

	test('imports down the folders pass', () => {
		const planted: Sources = new Map([[at('actions', 'c.ts'), "import { x } from '../video/x';\nimport { y } from '../transport';\nimport { z } from '../descriptions/z';\n"]]);
		expect(checkImports(planted)).toEqual([]);
	});

	test('import rules with a cycle', () => {
		expect(() => importOrder({ a: ['b'], b: ['c'], c: ['a'] })).toThrow('a → b → c → a');
	});

	test('a 61-line function', () => {
		const body = Array.from({ length: 59 }, (_, i) => `\tconst v${i} = ${i};`).join('\n');
		const planted: Sources = new Map([[at('task', 'long.ts'), `export function long(): void {\n${body}\n}\n`]]);
		expect(longFunctions(planted)).toEqual(['nodes/Sora2/task/long.ts:1 long (61 lines)']);
	});

	test('an export nobody imports, one only a barrel re-exports, and one only a test would import', () => {
		const planted: Sources = new Map([
			[at('task', 'dead.ts'), 'export const DEAD = 1;\nexport function alive() {}\nexport function viaBarrelOnly() {}\n'],
			[at('task', 'index.ts'), "export { alive, viaBarrelOnly } from './dead';\n"],
			[at('run', 'user.ts'), "import { alive } from '../task';\n"],
		]);
		expect(unusedExports(planted, [])).toEqual(['nodes/Sora2/task/dead.ts: DEAD', 'nodes/Sora2/task/dead.ts: viaBarrelOnly']);
	});
});
