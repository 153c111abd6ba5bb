-- Cycles through the tokens in BENCH_TOKEN_FILE (one per line), one per request, against BENCH_PATH:
-- "/introspect" (form body, client Basic auth from BENCH_CLIENT_BASIC) or "/auth" (Bearer header).
-- With BENCH_STOP_AFTER set, each thread stops once it has had that many answers (a single pass over the file).
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

local tokens = {}
for line in io.lines(common.env("BENCH_TOKEN_FILE")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local path = common.env("BENCH_PATH")
local basic = os.getenv("BENCH_CLIENT_BASIC")
local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "0")
local next_token, answers = 1, 0

function request()
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  if path == "/introspect" then
    return wrk.format("POST", path, { ["Authorization"] = "Basic " .. basic,
      ["Content-Type"] = "application/x-www-form-urlencoded" }, "token=" .. token)
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  answers = answers + 1
  if stop_after > 0 and answers >= stop_after then wrk.thread:stop() end
end

done = common.done
