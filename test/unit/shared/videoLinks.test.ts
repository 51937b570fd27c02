import { extractVideoUrls } from '../../../nodes/Sora2/shared/videoLinks';

describe('extractVideoUrls: the links in a text that point at a video', () => {
	test.each([
		['markdown link', 'Done: [video](https://example.com/v/a.mp4)', ['https://example.com/v/a.mp4']],
		['autolink and query', 'See <https://example.com/a.mp4?sig=abc&exp=1>.', ['https://example.com/a.mp4?sig=abc&exp=1']],
		['twice the same link', 'https://x.cdn.net/a https://x.cdn.net/a', ['https://x.cdn.net/a']],
		['images and pages on a CDN are not videos', 'https://cdn.x.com/a.png https://cdn.x.com/index.html https://cdn.x.com/v/123', ['https://cdn.x.com/v/123']],
		['the OpenAI content route', 'at https://api.example.com/v1/videos/video_1/content', ['https://api.example.com/v1/videos/video_1/content']],
		['not http(s)', 'ftp://example.com/a.mp4 and file:///tmp/a.mp4', []],
		['full-width punctuation ends a link', '链接：https://filesystem.site/cdn/x/abc.mp4，请查收', ['https://filesystem.site/cdn/x/abc.mp4']],
	])('%s', (_name, text, urls) => {
		expect(extractVideoUrls(text)).toEqual(urls);
	});
});
