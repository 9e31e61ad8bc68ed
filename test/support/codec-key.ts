// A fixed codec key for tests, so recorded histories can be replayed in later runs.
export const TEST_CODEC_KEYS = 'test1:' + Buffer.alloc(32, 7).toString('base64');
/** The data key (secrets at rest) of the test process and, by default, of every child it starts. */
export const TEST_DATA_KEYS = 'testdata1:' + Buffer.alloc(32, 9).toString('base64');
