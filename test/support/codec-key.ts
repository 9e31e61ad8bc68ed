// A fixed codec key for tests, so recorded histories can be replayed in later runs.
export const TEST_CODEC_KEYS = 'test1:' + Buffer.alloc(32, 7).toString('base64');
