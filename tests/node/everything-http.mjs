// The reference server (@modelcontextprotocol/server-everything) over Streamable HTTP, bound to 127.0.0.1 only:
// its transport listens on every interface, so listen() is pinned to loopback before it loads. PORT picks the port.
import http from "node:http";

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  const callback = rest.find((a) => typeof a === "function");
  return listen.call(this, port, "127.0.0.1", callback);
};

await import("./node_modules/@modelcontextprotocol/server-everything/dist/transports/streamableHttp.js");
