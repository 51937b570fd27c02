/*
 * Keeping the API key out of everything the node shows: error messages, hints, error details and
 * output items. A key reaches text in more forms than the one the user typed: as stored (with a
 * stray space or newline), as sent (trimmed), and as an API may echo what it got: JSON-escaped
 * (`\/`, `\n`, `\u00e9` …), URL-encoded (in an echoed query or form), HTML-escaped (in an error
 * page), or its Latin-1 bytes read back as UTF-8. Every form is removed. (A key that cannot go into
 * an HTTP header unaltered is never sent: the client refuses it first.)
 */

import { CUT_MARKER, MAX_ITEM_DEPTH } from '../shared/depth';

/** Forms of a secret shorter than this are not removed (they would mangle ordinary words). */
const MIN_SECRET_LENGTH = 4;

const REDACTED = '***';

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** JSON with every character beyond ASCII as `\uXXXX` (Python's json.dumps, many servers). */
function asciiJson(text: string, upper: boolean): string {
	return JSON.stringify(text).slice(1, -1).replace(/[\u0080-\uffff]/g, (character) => {
		const hex = character.charCodeAt(0).toString(16).padStart(4, '0');
		return `\\u${upper ? hex.toUpperCase() : hex}`;
	});
}

/** How a server that reads the header's bytes shows a key with Latin-1 characters: as UTF-8 (�), or percent-encoded byte by byte. */
function latin1Forms(text: string): string[] {
	if (!/[\u0080-\u00ff]/.test(text) || /[\u0100-\uffff]/.test(text)) return [];
	const bytes = Uint8Array.from(text, (character) => character.charCodeAt(0));
	const percent = [...bytes].map((byte) => (byte < 0x80 ? encodeURIComponent(String.fromCharCode(byte)) : `%${byte.toString(16).toUpperCase()}`)).join('');
	return [new TextDecoder().decode(bytes), percent];
}

/** URL-encoded (UTF-8); a text with a broken surrogate pair cannot be, and is never sent either. */
function urlEncoded(text: string): string {
	try {
		return encodeURIComponent(text);
	} catch {
		return text;
	}
}

/** Every form in which `secret` may show up in text, longest first. */
export function secretForms(secret: string): string[] {
	const forms = new Set<string>();
	for (const base of [secret, secret.trim()]) {
		forms.add(base);
		const json = JSON.stringify(base).slice(1, -1);
		forms.add(json);
		forms.add(json.replace(/\//g, '\\/'));
		forms.add(asciiJson(base, false));
		forms.add(asciiJson(base, true));
		const encoded = urlEncoded(base);
		forms.add(encoded);
		forms.add(encoded.replace(/%20/g, '+'));
		forms.add(base.replace(/[&<>"']/g, (character) => HTML_ENTITIES[character]));
		for (const form of latin1Forms(base)) forms.add(form);
	}
	return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Removes every occurrence of each secret form from a text that is about to be shown. */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
	return out;
}

/** A copy of a JSON-like value with every string (keys included) redacted; what lies deeper than an item may nest is cut (not passed on unredacted). */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
	if (secrets.length === 0) return value;
	const walk = (current: unknown, depth: number): unknown => {
		if (typeof current === 'string') return redact(current, secrets);
		if (typeof current !== 'object' || current === null) return current;
		if (depth > MAX_ITEM_DEPTH) return CUT_MARKER;
		if (Array.isArray(current)) return current.map((entry) => walk(entry, depth + 1));
		if (current instanceof Date || ArrayBuffer.isView(current)) return current;
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(current)) copy[redact(key, secrets)] = walk(entry, depth + 1);
		return copy;
	};
	return walk(value, 0) as T;
}

/**
 * Redacts an error in place, however deep the key hides in it: message, stack, description,
 * context, the response n8n keeps, causes. The error leaves the node through here.
 */
export function redactError(error: unknown, secrets: readonly string[]): void {
	if (secrets.length === 0) return;
	const seen = new WeakSet<object>();
	const scrub = (target: unknown, depth: number): void => {
		if (typeof target !== 'object' || target === null || seen.has(target) || depth > 8) return;
		seen.add(target);
		const record = target as Record<string, unknown>;
		for (const key of Object.getOwnPropertyNames(target)) {
			const descriptor = Object.getOwnPropertyDescriptor(target, key);
			if (!descriptor || !('value' in descriptor) || !descriptor.writable) continue;
			const value = descriptor.value as unknown;
			if (typeof value === 'string') record[key] = redact(value, secrets);
			else scrub(value, depth + 1);
		}
	};
	scrub(error, 0);
}
