/** A promise's outcome as a value, so a caller can decide what to throw outside a catch block. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function settle<T>(work: Promise<T>): Promise<Settled<T>> {
	try {
		return { ok: true, value: await work };
	} catch (error) {
		return { ok: false, error };
	}
}
