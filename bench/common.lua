-- Shared by the bench/*.lua scripts: wrk calls done() once at the end of a run, and this prints one
-- machine-readable line that bench/run.sh reads (latencies in microseconds, errors split by kind).
local M = {}

function M.done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.2f p50_us=%.0f p99_us=%.0f status_errors=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end

-- Mandatory environment variable (set by run.sh).
function M.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("environment variable " .. name .. " is not set (run bench/run.sh)")
  end
  return value
end

return M
