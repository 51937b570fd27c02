// tsc compiles the TypeScript; gulp copies what tsc does not, as the classic n8n starter does:
// the icons (icons/ → dist/icons/) and each node's codex file (nodes/**/*.node.json).
const path = require('path');
const { task, src, dest, parallel } = require('gulp');

function copyIcons() {
	return src(path.resolve('icons', '*.{png,svg}'), { encoding: false }).pipe(dest(path.resolve('dist', 'icons')));
}

function copyCodex() {
	return src('nodes/**/*.node.json', { base: '.' }).pipe(dest('dist'));
}

task('build:icons', parallel(copyIcons, copyCodex));
