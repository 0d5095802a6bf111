-- The requests and the report of one wrk run for bench.wrk (wrk 4.1.0 scripts run on LuaJIT).
--
-- Read from the environment, never from the command line (which `ps` shows to everyone):
--   BENCH_AUTH   the Authorization header's value ("Bearer ..."); absent or empty: no header
--   BENCH_PATHS  paths to send in turn, one per line (the name search's terms); absent: the URL's own path
--
-- Every request asks for gzip, as the desktop's httpx client does. Any answer but a 2xx counts as
-- an error (wrk itself only counts statuses above 399). done() writes one JSON line to stdout.

local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
   wrk.headers["Authorization"] = auth
end
wrk.headers["Accept-Encoding"] = "gzip"

local paths = {}
for path in (os.getenv("BENCH_PATHS") or ""):gmatch("[^\n]+") do
   paths[#paths + 1] = path
end

if #paths > 0 then
   -- Defined only when there is something to rotate: without request() wrk sends one prebuilt request.
   local prepared, turn = {}, 0

   function init(args)
      for index, path in ipairs(paths) do
         prepared[index] = wrk.format(nil, path) -- after wrk's own init has set the Host header
      end
   end

   function request()
      turn = turn % #prepared + 1
      return prepared[turn]
   end
end

-- Per thread; done() runs in another Lua state and collects them with thread:get().
non_2xx = 0
first_error = nil

function response(status, headers, body)
   if status < 200 or status > 299 then
      non_2xx = non_2xx + 1
      if first_error == nil then
         first_error = "HTTP " .. status .. ": " .. body:sub(1, 200)
      end
   end
end

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
end

local function json_string(text)
   if text == nil then
      return "null"
   end
   local escaped = text:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
   end)
   return '"' .. escaped .. '"'
end

function done(summary, latency, requests)
   local non_2xx_total, first = 0, nil
   for _, thread in ipairs(threads) do
      non_2xx_total = non_2xx_total + (thread:get("non_2xx") or 0)
      first = first or thread:get("first_error")
   end
   local errors = summary.errors
   local mean = summary.requests > 0 and latency.mean or 0 -- no NaN in the JSON when nothing was answered
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, "first_error": %s}\n',
      summary.requests, summary.duration, summary.bytes, non_2xx_total,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, mean,
      json_string(first)
   ))
end
