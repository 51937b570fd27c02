/*
 * Which links point at a video: a video file by its extension, or a file on a provider's CDN that is
 * not an image or a page. Task answers (where is the result) and chat answers (which links in the
 * prose are the video) both ask; see docs/gateways.md for the hosts and shapes seen.
 */

const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['mp4', 'mov', 'webm', 'm4v', 'mkv', 'avi', 'm3u8', 'mpd', 'flv', 'wmv', '3gp']);

/** File types that are certainly not the video, even on the provider's CDN (prompt images, pages). */
const OTHER_EXTENSIONS: ReadonlySet<string> = new Set([
	'png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'svg', 'ico', 'avif', 'heic', 'tif', 'tiff',
	'html', 'htm', 'php', 'json', 'js', 'css', 'txt', 'md', 'pdf', 'zip',
]);

/** Hosts that serve the provider's generated files without a file extension in the link. */
const VIDEO_HOSTS: readonly string[] = ['filesystem.site', 'videos.openai.com'];

/** http(s) URLs: printable ASCII without spaces, quotes, brackets or parentheses (markdown ends a link with ")"). */
const URL_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?*~]+$/;

function extensionOf(pathname: string): string {
	const file = pathname.slice(pathname.lastIndexOf('/') + 1);
	const dot = file.lastIndexOf('.');
	return dot < 0 ? '' : file.slice(dot + 1).toLowerCase();
}

function onVideoHost(url: URL): boolean {
	const host = url.hostname.toLowerCase();
	if (host.split('.').some((label) => label.includes('cdn'))) return true;
	if (url.pathname.toLowerCase().startsWith('/cdn/')) return true;
	if (/\/videos\/[^/]+\/content$/.test(url.pathname)) return true;
	return VIDEO_HOSTS.some((known) => host === known || host.endsWith(`.${known}`));
}

/** True for a link to a video file, or to a file on the provider's CDN that is not an image or a page. */
export function isVideoLink(url: URL): boolean {
	const extension = extensionOf(url.pathname);
	if (VIDEO_EXTENSIONS.has(extension)) return true;
	if (OTHER_EXTENSIONS.has(extension)) return false;
	return onVideoHost(url);
}

/** `isVideoLink` for a link given as text (false when it is not a URL). */
export function isVideoUrl(link: string): boolean {
	try {
		return isVideoLink(new URL(link));
	} catch {
		return false;
	}
}

/** Every distinct http(s) link to a video in `text` (markdown links, autolinks or plain URLs), in order. */
export function extractVideoUrls(text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(URL_PATTERN)) {
		const candidate = match[0].replace(TRAILING_PUNCTUATION, '');
		if (isVideoUrl(candidate) && !found.includes(candidate)) found.push(candidate);
	}
	return found;
}
