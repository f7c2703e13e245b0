-- POST /v1/settlements with unique settlement ids (run tag, thread id, counter) over random persons;
-- sums the payouts of the 201 answers for the ledger check and keeps the bodies still in flight at the end.
dofile((os.getenv("BENCH_LOAD_DIR") or "bench/load") .. "/common.lua")

function request()
  counter = counter + 1
  local id = string.format("ST-%s-%d-%d", tag, tid, counter)
  local body = settlement_body(id)
  track(id, body)
  return post("/v1/settlements", body)
end
