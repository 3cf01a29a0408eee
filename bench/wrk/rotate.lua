-- wrk script for `python -m bench`: every request is the next line of the file named by
-- BENCH_REQUESTS ("path<TAB>token<TAB>json body"), so each one carries its own bearer
-- token and body. Thread k of BENCH_THREADS takes lines k, k+n, k+2n... so no two
-- threads send the same line at once. An answer counts as good when it is a 200 with no
-- GraphQL (or GraphQL-shaped) error in it; the first bad one is kept as a sample.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local step = tonumber(os.getenv("BENCH_THREADS"))
  requests = {}
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "r"))
  local index = 0
  for line in file:lines() do
    if index % step == id then
      local path, token, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = { ["Content-Type"] = "application/json" }
      if token ~= "" then
        headers["Authorization"] = "Bearer " .. token
      end
      requests[#requests + 1] = wrk.format("POST", path, headers, body)
    end
    index = index + 1
  end
  file:close()
  assert(#requests > 0, "no requests for thread " .. id)
  position = 0
  good = 0
  bad = 0
  sample = ""
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  if status == 200 and not body:find('"errors"%s*:%s*%[%s*{') then
    good = good + 1
  else
    bad = bad + 1
    if sample == "" then
      sample = status .. " " .. body:sub(1, 300)
    end
  end
end

local function quote(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('[%c]', ' ') .. '"'
end

function done(summary, latency, requests)
  local good_total, bad_total, first_sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    if first_sample == "" then
      first_sample = thread:get("sample")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "good": %d, "bad": %d, '
      .. '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "sample": %s}\n',
    summary.requests, summary.duration, good_total, bad_total,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    quote(first_sample)))
end
