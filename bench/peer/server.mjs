// PostGraphile 5 over the benchmark database: the peer Levelground is compared with.
// Started by `python -m bench` with DATABASE_URL, PORT and POOL in the environment.
// The SQL functions it exposes (the token check, the cast, an area's priorities with
// its children, comment counts) are in peer.sql, applied to the bench database only.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL ?? 20) },
      pubsub: false,
      // The bearer token and the client's address reach SQL as transaction-local
      // settings (PostGraphile's way of passing who is asking).
      pgSettings(requestContext) {
        const req = requestContext.node?.req;
        const authorization = req?.headers?.authorization ?? "";
        return {
          "bench.token": authorization.replace(/^Bearer\s+/i, ""),
          "bench.ip": req?.socket?.remoteAddress ?? "unknown",
        };
      },
    }),
  ],
  grafserv: { graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
server.listen(Number(process.env.PORT), "127.0.0.1", () => {
  console.log(`PostGraphile listening on 127.0.0.1:${process.env.PORT}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    server.close();
    await pgl.release();
    process.exit(0);
  });
}
