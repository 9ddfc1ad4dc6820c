/** Where the examples find the name server: NAMESRV, else a local `node dist/broker` on its default port. */
export const namesrv = process.env.NAMESRV ?? '127.0.0.1:9876';
