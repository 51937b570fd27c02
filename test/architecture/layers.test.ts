/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test: runs outside n8n and reads the source tree with node:fs and the TypeScript compiler */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The shape of the code, checked on every `npm test`:
 * - layers point down only: actions → descriptions → helpers → transport → n8n-workflow (and zod);
 *   transport imports nothing above it, helpers import nothing of descriptions or actions;
 * - no function in nodes/ or credentials/ is longer than 60 lines;
 * - no value (function, constant, class) is exported that no other file imports.
 * `checkLayers` / `longFunctions` / `unusedExports` take the file texts, so the checks themselves are
 * tested below on a planted upward import, a long function and a dead export.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const NODE_ROOT = path.join(ROOT, 'nodes', 'Sora2');
const MAX_FUNCTION_LINES = 60;

/** Lower number = lower layer. A file may import its own layer and any lower one. */
const LAYERS: Array<{ name: string; dir: string; rank: number }> = [
	{ name: 'transport', dir: 'transport', rank: 0 },
	{ name: 'helpers', dir: 'helpers', rank: 1 },
	{ name: 'descriptions', dir: 'descriptions', rank: 2 },
	{ name: 'actions', dir: 'actions', rank: 3 },
];

/** Packages each layer may import (anything else from node_modules is an error everywhere). */
const PACKAGES_ALLOWED: Record<string, readonly string[]> = {
	transport: ['n8n-workflow', 'zod'],
	helpers: ['n8n-workflow', 'zod'],
	descriptions: ['n8n-workflow'],
	actions: ['n8n-workflow'],
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

function layerOf(file: string): (typeof LAYERS)[number] | undefined {
	const relative = path.relative(NODE_ROOT, file).split(path.sep);
	return LAYERS.find((layer) => relative[0] === layer.dir);
}

function importsOf(text: string): string[] {
	return ts.preProcessFile(text, true, true).importedFiles.map((entry) => entry.fileName);
}

/** Every import that points up a layer (or to a package the layer may not use), as "file → import". */
function checkLayers(sources: Sources): string[] {
	const problems: string[] = [];
	for (const [file, text] of sources) {
		const layer = layerOf(file);
		if (!layer) continue;
		for (const spec of importsOf(text)) {
			if (!spec.startsWith('.')) {
				if (!PACKAGES_ALLOWED[layer.name].includes(spec)) problems.push(`${path.relative(ROOT, file)} → package ${spec} (not allowed in ${layer.name})`);
				continue;
			}
			const target = layerOf(path.resolve(path.dirname(file), spec));
			if (!target || target.rank > layer.rank) {
				problems.push(`${path.relative(ROOT, file)} → ${spec} (${layer.name} must not import ${target?.name ?? 'the node class'})`);
			}
		}
	}
	return problems;
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

/** Exports no other file imports (the node and credential classes n8n loads are used by n8n itself). */
function unusedExports(declared: Sources, users: Sources, loadedByN8n: readonly string[]): string[] {
	const problems: string[] = [];
	for (const [file, text] of declared) {
		for (const name of exportedNames(text)) {
			if (loadedByN8n.includes(name)) continue;
			const pattern = new RegExp(`(import|export)\\s[^;]*\\b${name}\\b[^;]*from\\s`);
			const used = [...users].some(([other, otherText]) => other !== file && pattern.test(otherText));
			if (!used) problems.push(`${path.relative(ROOT, file)}: ${name}`);
		}
	}
	return problems;
}

const nodeSources = readSources([NODE_ROOT, path.join(ROOT, 'credentials')]);
const allSources = readSources([NODE_ROOT, path.join(ROOT, 'credentials'), path.join(ROOT, 'test'), path.join(ROOT, 'scripts')]);

describe('the code as it is', () => {
	test('layers point down only', () => {
		expect(checkLayers(nodeSources)).toEqual([]);
	});

	test(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
		expect(longFunctions(nodeSources)).toEqual([]);
	});

	test('every export is imported somewhere', () => {
		expect(unusedExports(nodeSources, allSources, ['Sora2', 'Sora2Api', 'description', 'execute'])).toEqual([]);
	});
});

describe('the checks catch what they are for', () => {
	const at = (...parts: string[]) => path.join(NODE_ROOT, ...parts);

	test('an import from transport up into helpers', () => {
		const planted: Sources = new Map([[at('transport', 'planted.ts'), "import { LABELS } from '../helpers/labels';\n"]]);
		expect(checkLayers(planted)).toEqual(['nodes/Sora2/transport/planted.ts → ../helpers/labels (transport must not import helpers)']);
	});

	test('helpers reaching into descriptions or actions, a package transport may not use', () => {
		const planted: Sources = new Map([
			[at('helpers', 'a.ts'), "import { waitFields } from '../descriptions/waitFields';\nimport { router } from '../actions/router';\n"],
			[at('transport', 'b.ts'), "import lodash from 'lodash';\n"],
		]);
		expect(checkLayers(planted)).toHaveLength(3);
	});

	test('imports down the layers pass', () => {
		const planted: Sources = new Map([[at('actions', 'c.ts'), "import { x } from '../helpers/x';\nimport { y } from '../transport';\nimport { z } from '../descriptions/z';\n"]]);
		expect(checkLayers(planted)).toEqual([]);
	});

	test('a 61-line function', () => {
		const body = Array.from({ length: 59 }, (_, i) => `\tconst v${i} = ${i};`).join('\n');
		const planted: Sources = new Map([[at('helpers', 'long.ts'), `export function long(): void {\n${body}\n}\n`]]);
		expect(longFunctions(planted)).toEqual(['nodes/Sora2/helpers/long.ts:1 long (61 lines)']);
	});

	test('an export nobody imports', () => {
		const declared: Sources = new Map([[at('helpers', 'dead.ts'), 'export const DEAD = 1;\nexport function alive() {}\n']]);
		const users: Sources = new Map([[at('helpers', 'user.ts'), "import { alive } from './dead';\n"]]);
		expect(unusedExports(declared, users, [])).toEqual(['nodes/Sora2/helpers/dead.ts: DEAD']);
	});
});
