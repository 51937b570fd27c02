/// <reference types="node" />
// Types for the mock Sora2 server (server.js). The contract is SPEC.md beside this file.

/** The documented models, then a gateway's own video models (GET /v1/models also lists models that make no video). */
export type VideoModel = 'sora-2' | 'sora-2-pro' | 'sora-2-hd' | 'sora-2-pro-hd' | 'sora-2-landscape-15s' | 'veo-3-fast';
export type Orientation = 'portrait' | 'landscape';
export type VideoSize = 'small' | 'large';
export type VideoDuration = 10 | 15;
export type CreateShape = 'task' | 'chat';

export interface MockServerOptions {
  /** 0 (default) = any free port. Always bound to 127.0.0.1. */
  port?: number;
  /** The Bearer key /v1 accepts. Default 'test-key'; null = accept any or no key. */
  apiKey?: string | null;
  /** A task stays `pending` this long after create. Default 100. */
  pendingMs?: number;
  /** Then `processing` (progress "0%".."99%") until this long after create → `completed`. Default 300; must be >= pendingMs. */
  generationMs?: number;
  /** Each task's generation time is spread by a random amount up to ± this (never below pendingMs). Default 0. */
  generationJitterMs?: number;
  /** Added before every /v1 answer (counted as in flight). Default 0. */
  latencyMs?: number;
  /** Shape of the POST /v1/video/create answer. Default 'task'. */
  createShape?: CreateShape;
  /** Bytes of the fake mp4 served at /files/<taskId>.mp4. Default 65536. */
  videoSize?: number;
  /** Characters (code points) of content per SSE chunk of a streamed chat answer. Default 24. */
  chatChunkChars?: number;
  /** Pause between SSE chunks of a streamed chat answer (between byte slices when chatWriteBytes is set). Default 0. */
  chatChunkDelayMs?: number;
  /** 0 (default): each SSE event is written whole. n > 0: written n bytes at a time, so lines and UTF-8 characters split across reads. */
  chatWriteBytes?: number;
}

/** The options after defaults were filled in. */
export type ResolvedMockServerOptions = { readonly [K in keyof MockServerOptions]-?: Exclude<MockServerOptions[K], undefined> };

export type FaultKind =
  | 'status' // answer `status` (default 500) with `body` (default an OpenAI error naming the status)
  | 'malformed' // 200 (or `status`) with truncated JSON: {"id": "sora-2:task_x", "status":
  | 'html' // `status` (default 502) with an HTML error page (or `body` when it is a string), text/html
  | 'empty' // 200 (or `status`) with an empty body
  | 'reset' // headers + part of the body (`body` or a stub create answer), then the socket is destroyed
  | 'hang' // never answers; the socket stays open until close(). With afterCreate the task is created first
  | 'drip' // 200 (or `status`) whose valid body (`body` or a stub create answer) is written one byte every `delayMs` (default 50)
  | 'huge' // 200 (or `status`) with a ~10 MB JSON body
  | 'delay' // waits `delayMs`, then answers normally. With afterCreate the task is created before the wait
  | 'cut' // answers normally but a streamed (SSE) answer is cut after `afterChunks` events (default 0); a whole answer acts like 'reset'
  | 'redirect' // `status` (default 302) with `Location: location` and an empty body
  | 'streamError' // a streamed (SSE) answer: `afterChunks` events (default 1), then `event: error` with data `body` (default an OpenAI error), then the end
  | 'streamMalformed' // a streamed answer: `afterChunks` events (default 1), then a `data:` line that is not JSON, then the rest
  | 'streamNoDone'; // a streamed answer ends (cleanly) after `afterChunks` events (default all), without `data: [DONE]`

export interface MockFault {
  /** Matches the request method (case-insensitive); omitted = any method. */
  method?: string;
  /** Matches the pathname exactly (as sent or URL-decoded); omitted = any path. */
  path?: string;
  /** How many matching requests it hits. Default Infinity. */
  times?: number;
  /** Default 'status'. */
  kind?: FaultKind;
  status?: number;
  /** A string is sent as text/plain, anything else as JSON. */
  body?: string | object;
  /** Added to the answer's headers. */
  headers?: Record<string, string>;
  /** For 'delay' and 'drip'. */
  delayMs?: number;
  /** For 'delay' and 'hang': create the task first, then delay / hang. */
  afterCreate?: boolean;
  /** For 'cut', 'streamError', 'streamMalformed', 'streamNoDone': SSE events written before the fault. */
  afterChunks?: number;
  /**
   * Only requests that mention this text: in the URL-decoded URL (path and query), in the body, or in the
   * prompt of the task the request names (`?id=`, `/v1/videos/<id>`, `/files/<id>.mp4`). `times` counts those only.
   */
  matchText?: string;
  /** For 'cut': also write the first half of the next event before cutting (a cut in the middle of an event). */
  midEvent?: boolean;
  /** For 'redirect' (required): the Location header. */
  location?: string;
}

export interface MockStats {
  /** Per "METHOD pathname" (URL-decoded, no query), e.g. 'GET /v1/video/query'. /__admin requests are not counted. */
  requests: Record<string, number>;
  total: number;
  /** /v1 requests being handled now (latency and delay time included). */
  inFlight: number;
  /** Maximum of inFlight since the last resetStats(). */
  peakInFlight: number;
  /** Tasks really created since the last resetStats() (by create or chat). */
  creates: number;
  /** Tasks known (mock.tasks.size); not reset by resetStats(). */
  tasks: number;
}

export interface TaskMarkers {
  fail: boolean;
  stuck: boolean;
  nourl: boolean;
  urlindetail: boolean;
  /** WORD of a `[status:WORD]` marker. */
  status: string | null;
}

/** A status word the query endpoint reports: the phase, or the raw `[status:WORD]` while running. */
export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed' | (string & {});

export interface MockTask {
  readonly id: string;
  readonly model: VideoModel;
  readonly prompt: string;
  /** The images as received: links as given, a data URL as `data:<mime>;sha256,<hex of its bytes>` (the data itself is not kept). */
  readonly images: readonly string[];
  /** Each data-URL image (decoded and checked): its place in `images`, type, size and the sha256 of its bytes. */
  readonly imageData: ReadonlyArray<{ index: number; mime: string; bytes: number; sha256: string }>;
  /** Every body field beyond the documented ones (Additional Body Fields), as received. */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly orientation: Orientation;
  readonly size: VideoSize;
  readonly duration: VideoDuration | 25;
  /** ms since the epoch. Tests may move it back to fast-forward a task. */
  createdAt: number;
  readonly pendingMs: number;
  readonly generationMs: number;
  /** 'chat' tasks come from /v1/chat/completions and are completed at once. */
  readonly source: 'create' | 'chat';
  readonly markers: Readonly<TaskMarkers>;
  /** Live: the status GET /v1/video/query would report right now. */
  readonly status: TaskStatus;
  /** How often the task was read (GET /v1/video/query or /v1/videos/<id>); undefined before the first read. */
  readonly queries?: number;
  /** ms since the epoch when a read first answered a final status (completed or failed). */
  readonly finalSeenAt?: number;
  /** When each read of the task arrived (ms since the epoch). */
  readonly readTimes?: readonly number[];
  /** Set for a scripted task: its answers come from the script, not from time. */
  readonly script?: TaskScript;
}

/**
 * A task whose answers a test gives (a gateway fixture). Placeholders in the answers are filled in:
 * {{taskId}}, {{fileUrl}}, {{filePath}}, {{contentUrl}}, {{now}}, {{nowMs}}.
 */
export interface TaskScript {
  /** The create answer (default: the seed's `{id, status: "pending", status_update_time}`). */
  create?: unknown;
  /** The n-th status read answers reads[n]; the last one repeats. */
  reads: unknown[];
  /** Where the reads are served: 'query' (GET /v1/video/query, default) or 'openai' (GET /v1/videos/<id>; the query route answers 404). */
  route?: 'query' | 'openai';
  /** The task id to give the task (default: a generated `sora-2:task_…`). */
  taskId?: string;
}

/** One request the mock received, as logged. */
export interface LoggedRequest {
  /** Arrival, ms since the epoch. */
  at: number;
  /** "METHOD pathname", e.g. 'GET /v1/video/query'. */
  request: string;
  /** The task the request names, when it names one. */
  taskId?: string;
  /** Whether it carried an Authorization header (the key itself is never kept). */
  withKey: boolean;
}

/** A request body the fake chat model (/llm/v1/chat/completions) received: an OpenAI chat request. */
export interface LlmChatRequest {
  model?: string;
  messages: Array<{ role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string; [key: string]: unknown }>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  stream?: boolean;
  [key: string]: unknown;
}

export interface MockServer {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  /** 'http://127.0.0.1:PORT/v1' */
  readonly baseUrl: string;
  readonly port: number;
  readonly options: ResolvedMockServerOptions;
  /** Task id → task record. */
  readonly tasks: Map<string, MockTask>;
  /** Every request body POST /llm/v1/chat/completions (the fake chat model) received, in order. */
  readonly llmRequests: LlmChatRequest[];
  /** Throws TypeError for a fault that makes no sense (unknown kind, times < 1, …). */
  addFault(fault: MockFault): void;
  clearFaults(): void;
  stats(): MockStats;
  resetStats(): void;
  /** Every request since the last resetStats(), in arrival order (/__admin ones excepted). */
  requestLog(): LoggedRequest[];
  /** The next POST /v1/video/create makes a scripted task (scripts queue up, first in first out). */
  scriptNextCreate(script: TaskScript): void;
  /** Makes a scripted task at once, without a request (for Get Task). */
  addScriptedTask(script: TaskScript): MockTask;
  /** Stops listening, destroys every socket (hung ones included), clears every timer. */
  close(): Promise<void>;
}

/** Rejects with a TypeError on an unknown or impossible option. */
export function startMockServer(options?: MockServerOptions): Promise<MockServer>;

/** The deterministic bytes served at /files/<taskId>.mp4 (an mp4 `ftyp` header, then noise seeded by the id). */
export function videoBytesFor(taskId: string, size: number): Buffer;
