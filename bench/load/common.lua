-- Shared by preview.lua and settle.lua (loaded with dofile): the persons, the request bodies, the
-- status counting and the RESULT line that run.sh reads. Each wrk thread runs its own copy of this state.
local key = assert(os.getenv("BENCH_HOSPITAL_KEY"), "BENCH_HOSPITAL_KEY is not set")

local persons = {}
local persons_file = assert(os.getenv("BENCH_PERSONS_FILE"), "BENCH_PERSONS_FILE is not set")
for line in assert(io.open(persons_file, "r")):lines() do
  persons[#persons + 1] = line
end

local headers = { ["Authorization"] = "ApiKey " .. key, ["Content-Type"] = "application/json" }
local threads = {}

-- Per thread: statuses seen, the sum in fen of the payouts of 201 answers, and the settlements sent whose answer
-- has not come back (wrk closes its connections at the end with requests still in flight: run.sh replays those).
statuses = {}
payout_fen = 0
outstanding = {}
tid = 0
tag = "run"
counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  tag = args[1] or "run"
  math.randomseed(os.time() * 1000 + tid * 7919 + #tag)
end

-- A Guilin (450300) discharge in 2020, on or after the set's 2020-04-01 (in the past for the service's real clock),
-- by a random person among the seeded ones; amounts in whole fen, written with two decimals.
function settlement_body(settlement_id)
  local month = math.random(4, 12)
  local discharge = math.random(1, 28)
  local admission = math.random(1, discharge)
  local cost = math.random(500000, 10000000)
  local basic = math.floor(cost * math.random(30, 50) / 100)
  return string.format(
    '{"settlementId":"%s","insuredId":"%s","regionCode":"450300","admissionDate":"2020-%02d-%02d",' ..
    '"dischargeDate":"2020-%02d-%02d","inPolicyCost":%d.%02d,"basicInsurancePaid":%d.%02d,"referredOutOfRegion":false}',
    settlement_id, persons[math.random(#persons)], month, admission, month, discharge,
    math.floor(cost / 100), cost % 100, math.floor(basic / 100), basic % 100)
end

-- A settlement sent: its body is kept until its answer names it.
function track(settlement_id, body)
  outstanding[settlement_id] = body
end

function post(path, body)
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  local answered = body:match('"settlementId":"([^"]+)"')
  if answered then outstanding[answered] = nil end
  if status == 201 then
    local payout = body:match('"payout":(%-?[%d%.]+)')
    if payout then payout_fen = payout_fen + math.floor(tonumber(payout) * 100 + 0.5)
    else statuses["201_without_payout"] = (statuses["201_without_payout"] or 0) + 1 end
  end
end

-- One line of JSON for run.sh: throughput, latency percentiles (ms), statuses, wrk's own errors, payouts.
function done(summary, latency, requests)
  local all, payouts, in_flight = {}, 0, 0
  local file = os.getenv("BENCH_IN_FLIGHT_FILE")
  local out = file and assert(io.open(file, "a"))
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do all[tostring(status)] = (all[tostring(status)] or 0) + n end
    payouts = payouts + thread:get("payout_fen")
    for _, body in pairs(thread:get("outstanding")) do
      in_flight = in_flight + 1
      if out then out:write(body, "\n") end
    end
  end
  if out then out:close() end
  local parts = {}
  for status, n in pairs(all) do parts[#parts + 1] = string.format('"%s":%d', status, n) end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"statuses":{%s},"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"non_2xx":%d,"payout_fen":%d,"in_flight":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    table.concat(parts, ","), e.connect, e.read, e.write, e.timeout, e.status, payouts, in_flight))
end
