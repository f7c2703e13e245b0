-- POST /v1/settlements with unique settlement ids (run tag, thread id, counter) over random persons;
-- sums the payouts of the 201 answers for the ledger check.
dofile((os.getenv("BENCH_LOAD_DIR") or "bench/load") .. "/common.lua")

function request()
  counter = counter + 1
  return post("/v1/settlements", settlement_body(string.format("ST-%s-%d-%d", tag, tid, counter)))
end
