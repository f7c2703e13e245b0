-- POST /v1/settlements/preview over random persons (also the baseline's request: same bytes on the wire).
dofile((os.getenv("BENCH_LOAD_DIR") or "bench/load") .. "/common.lua")

function request()
  counter = counter + 1
  return post("/v1/settlements/preview", settlement_body(string.format("PV-%s-%d-%d", tag, tid, counter)))
end
