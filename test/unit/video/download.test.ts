/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test: a file server made with node:http, and n8n-core's binary data service switched to filesystem mode */
// n8n-core's own copy of the DI container (the one its binary helpers ask for the service)
import { Container } from 'n8n-core/node_modules/@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { makeContext } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runError, runNode } from '../../helpers/run';

/**
 * The video download is checked before it becomes the item's binary: a link that answers 200 with
 * a page (a login, an error, a JSON error) is refused by its Content-Type before anything is stored,
 * or by its first bytes, read back from what n8n stored, in memory mode (the default here) and in
 * filesystem mode (n8n's own binary data service, switched at the end of this file). Every error names
 * the task, what came, and how to fetch the video again.
 */

const mock = useMockServer({ pendingMs: 10, generationMs: 30 });

/** Files on another host: each path answers 200 with the bytes and type given. */
const files = new Map<string, { type?: string; body: Buffer }>();
let fileServer: http.Server;
let filesUrl = '';

beforeAll(async () => {
	fileServer = http.createServer((request, response) => {
		const file = files.get(request.url ?? '');
		if (!file) return void response.writeHead(404).end();
		response.writeHead(200, file.type ? { 'Content-Type': file.type } : {}).end(file.body);
	});
	await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', () => resolve()));
	filesUrl = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => fileServer.close(() => resolve()));
});

const FTYP = Buffer.from('000000186674797069736f6d0000020069736f6d6d703432', 'hex');
const bytes = (...parts: Array<Buffer | string>) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));

let served = 0;
/** A completed task whose link is a file with these bytes and this type; its id. */
function taskWithFile(body: Buffer, type?: string): { id: string; url: string } {
	const path = `/v/${++served}.mp4`;
	files.set(path, { type, body });
	const task = mock.addScriptedTask({ reads: [{ status: 'completed', video_url: `${filesUrl}${path}` }] });
	return { id: task.id, url: `${filesUrl}${path}` };
}

const download = (taskId: string, continueOnFail = false) =>
	makeContext({
		params: { resource: 'video', operation: 'getTask', taskId, waitForCompletion: true, pollInterval: 0.05, maxWait: 5, downloadVideo: true, binaryPropertyName: 'data', options: {} },
		credentials: credentialsFor(mock),
		continueOnFail,
	});

const fetchAgain = (id: string) => `Task ${id} is done: Video → Get Task with Task ID "${id}" and Download Video on fetches the video again (with a fresh link if this one expired).`;
const HOST = () => filesUrl.replace('http://', '');

/** The bytes n8n stored for a binary, however it keeps them. */
async function storedBytes(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

function refusals(mode: string): void {
	test(`${mode}: a login page (200, text/html) is refused by its type, at the answer's head`, async () => {
		const { id } = taskWithFile(bytes('<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>'), 'text/html; charset=utf-8');
		const error = await runError(download(id));
		expect(error.message).toBe(`Video → Get Task, item 0: the download of task ${id}'s video from ${HOST()} is not a video: it answered 200 with Content-Type "text/html; charset=utf-8"`);
		expect(error.description).toBe(`The link gave something else than the video: it may have expired, or need a login the node does not have. ${fetchAgain(id)}`);
		expect(error.context).toMatchObject({ taskId: id });
	});

	test(`${mode}: a JSON error with a 200 is refused by its type`, async () => {
		const { id } = taskWithFile(bytes('{"error":{"message":"signature expired"}}'), 'application/json');
		const error = await runError(download(id));
		expect(error.message).toBe(`Video → Get Task, item 0: the download of task ${id}'s video from ${HOST()} is not a video: it answered 200 with Content-Type "application/json"`);
	});

	test(`${mode}: a text page sent as text/plain is refused by its first bytes, quoted`, async () => {
		const { id } = taskWithFile(bytes('Access denied: please log in to download this file.\n'), 'text/plain');
		const error = await runError(download(id));
		expect(error.message).toBe(`Video → Get Task, item 0: the download of task ${id}'s video from ${HOST()} is not a video: it answered 200 with Content-Type "text/plain" and it starts with "Access denied: please log in to download this file."`);
	});

	test(`${mode}: bytes that are no video, sent as octet-stream without a name, are refused by their first bytes, in hex`, async () => {
		const { id } = taskWithFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0xff, 0xfe]), 'application/octet-stream');
		const error = await runError(download(id));
		expect(error.message).toBe(`Video → Get Task, item 0: the download of task ${id}'s video from ${HOST()} is not a video: it answered 200 with Content-Type "application/octet-stream" and its first bytes are 50 4b 03 04 00 01 02 03`);
	});

	test(`${mode}: an empty 200 without a type is refused`, async () => {
		const { id } = taskWithFile(Buffer.alloc(0));
		const error = await runError(download(id));
		expect(error.message).toBe(`Video → Get Task, item 0: the download of task ${id}'s video from ${HOST()} is not a video: it answered 200 with Content-Type "none" and it is empty`);
	});

	test(`${mode}: under Continue On Fail the refusal is the item's error item, with the task id`, async () => {
		const { id } = taskWithFile(bytes('<html>gone</html>'), 'text/html');
		const [item] = await runNode(download(id, true));
		expect(item.json).toMatchObject({ error: `Video → Get Task, item 0: the download of task ${id}'s video from ${HOST()} is not a video: it answered 200 with Content-Type "text/html"`, taskId: id, itemIndex: 0 });
		expect(item.binary).toBeUndefined();
	});
}

function acceptances(mode: string): void {
	test.each([
		['an mp4 (ftyp box) as video/mp4', bytes(FTYP, 'rest of the movie'), 'video/mp4'],
		['a QuickTime file starting with its moov box, as octet-stream', bytes(Buffer.from([0, 0, 0, 8]), 'moov', 'more'), 'application/octet-stream'],
		['a webm (EBML) without a type', bytes(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]), 'webm'), undefined],
		['an MPEG transport stream (0x47 every 188 bytes)', Buffer.concat([0, 1, 2].map(() => bytes(Buffer.from([0x47]), Buffer.alloc(187, 1)))), 'video/mp2t'],
		['an HLS playlist served as text/plain', bytes('#EXTM3U\n#EXT-X-VERSION:3\nsegment0.ts\n'), 'text/plain'],
	])(`${mode}: %s is stored`, async (_label, body, type) => {
		const { id } = taskWithFile(body, type);
		const [item] = await runNode(download(id));
		const binary = item.binary?.data;
		if (!binary) throw new Error('no binary');
		expect(binary.mimeType).toBe('video/mp4');
		expect((await storedBytes(binary)).equals(body)).toBe(true);
	});
}

describe('memory mode (binary data kept in the item)', () => {
	refusals('memory');
	acceptances('memory');

	test('memory: the item carries the bytes as base64, no id', async () => {
		const body = bytes(FTYP, 'x');
		const { id } = taskWithFile(body, 'video/mp4');
		const [item] = await runNode(download(id));
		expect(item.binary?.data.id).toBeUndefined();
		expect(Buffer.from(item.binary?.data.data ?? '', 'base64').equals(body)).toBe(true);
	});
});

describe('filesystem mode (binary data stored apart, read back by id)', () => {
	beforeAll(async () => {
		await Container.get(BinaryDataService).init();
	});

	test('filesystem: the item refers to a stored file by id', async () => {
		const body = bytes(FTYP, 'y');
		const { id } = taskWithFile(body, 'video/mp4');
		const [item] = await runNode(download(id));
		expect(item.binary?.data.id).toMatch(/^filesystem/);
		expect((await storedBytes(item.binary?.data as IBinaryData)).equals(body)).toBe(true);
	});

	refusals('filesystem');
	acceptances('filesystem');
});
