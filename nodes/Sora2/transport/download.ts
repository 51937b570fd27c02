import type { IExecuteFunctions } from 'n8n-workflow';

import { disposeBody } from './body';
import { statusAnswer } from './call';
import { cancelledError, networkError } from './errors';
import type { CallSite } from './errors';
import { exchange } from './exchange';
import type { Channel } from './exchange';
import { failureOf } from './failure';
import { retrying } from './retrying';
import type { Attempt } from './retrying';
import { settle } from './settle';

/** A file body as n8n's binary helpers take it. */
export type BinaryBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/**
 * GETs a file and hands its body to `consume` as it arrives (e.g. into n8n's binary data), holding
 * the gate slot meanwhile. The key goes only to the API's own origin. Refused or unreachable links
 * are retried like any read; a body that breaks off is not (part of it is consumed already). The
 * body ends at once when the run stops, whichever host serves it.
 */
export async function downloadFile<T>(channel: Channel, url: string, site: CallSite, consume: (body: BinaryBody) => Promise<T>): Promise<T> {
	const { host, origin } = new URL(url);
	const out = { method: 'GET' as const, url, accept: '*/*', withKey: origin === new URL(channel.baseUrl).origin };
	const what = `the video download from ${host}`;
	const role = { kind: 'download' as const, site };
	const attemptOnce = async (): Promise<Attempt<T>> =>
		await exchange(channel, role, out, async (response) => {
			if (response.statusCode !== 200) return await statusAnswer(channel, role, response, what);
			const raw = response.rawBody as BinaryBody;
			const stopped = () => cancelledError(channel.errors, site, channel.scope.cause);
			const unregister = channel.scope.onStop(() => disposeBody(raw, stopped()));
			const consumed = await settle(consume(raw));
			unregister();
			if (consumed.ok) return { kind: 'ok', value: consumed.value };
			if (channel.scope.stopped) return { kind: 'failed', error: stopped() };
			const failure = failureOf(consumed.error);
			const at = { failure, host, timeoutMs: channel.settings.timeoutMs, attempts: 1, what: `${what} broke off` };
			return { kind: 'failed', error: networkError(channel.errors, site, at) };
		});
	return (await retrying(channel, { ...role, host }, attemptOnce)).value;
}
