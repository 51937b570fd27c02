import { parseImages } from '../../../nodes/Sora2/video/images';

/** Image URLs as users map them: lists, JSON arrays, comma/newline separated text. */

describe('parseImages', () => {
	const a = 'https://example.com/a.png';
	const b = 'http://cdn.example.com/b.jpg?size=large&x=1';

	test.each([
		['undefined', undefined, []],
		['null', null, []],
		['empty text', '', []],
		['blank text', '  \n ', []],
		['an empty array', [], []],
		['one URL', a, [a]],
		['one URL with spaces around', `  ${a}  `, [a]],
		['an array', [a, b], [a, b]],
		['an array with blank entries', [a, '', '  ', b], [a, b]],
		['a JSON array string', `["${a}", "${b}"]`, [a, b]],
		['an empty JSON array string', '[]', []],
		['comma-separated', `${a},${b}`, [a, b]],
		['comma-separated with spaces and a trailing comma', ` ${a} , ${b} ,`, [a, b]],
		['newline-separated', `${a}\n${b}`, [a, b]],
		['CRLF and blank lines', `${a}\r\n\r\n${b}\r\n`, [a, b]],
		['commas and new lines mixed', `${a},\n${b}`, [a, b]],
	])('accepts %s', (_label, value, images) => {
		expect(parseImages(value)).toEqual({ ok: true, value: images });
	});

	test.each([
		['an object', { url: a }, 'it is an object; give a URL, a list of URLs, or a comma-separated text'],
		['a number', 42, 'it is number 42; give a URL, a list of URLs, or a comma-separated text'],
		['a boolean', true, 'it is boolean true; give a URL, a list of URLs, or a comma-separated text'],
		['an array holding an object', [a, { url: b }], 'entry 2 is an object, not a URL'],
		['an array holding null', [null], 'entry 1 is null, not a URL'],
		['an array holding a list', [[a]], 'entry 1 is a list, not a URL'],
		['an ftp URL', 'ftp://example.com/a.png', '"ftp://example.com/a.png" is not an http(s) URL'],
		['a file URL in a list', [a, 'file:///etc/passwd'], '"file:///etc/passwd" is not an http(s) URL'],
		['a bare file name', 'photo.png', '"photo.png" is not an http(s) URL'],
		['a URL with a space inside', 'https://example.com/my photo.png', '"https://example.com/my photo.png" is not an http(s) URL'],
		['broken JSON', `["${a}"`, 'it starts with "[" but is not a valid JSON array'],
		['a JSON array of numbers', '[1, 2]', 'entry 1 is number 1, not a URL'],
	])('rejects %s', (_label, value, problem) => {
		expect(parseImages(value)).toEqual({ ok: false, error: problem });
	});
});

