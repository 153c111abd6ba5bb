-- Cycles through the tokens in BENCH_TOKEN_FILE (one per line), one per request, against BENCH_PATH:
-- "/introspect" (form body, client Basic auth from BENCH_CLIENT_BASIC) or "/auth" (Bearer header).
-- BENCH_TOKEN_OFFSET [0]: where in the file to begin (bench/services.sh chains runs into one pass over the file).
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

local tokens = {}
for line in io.lines(common.env("BENCH_TOKEN_FILE")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local path = common.env("BENCH_PATH")
local basic = os.getenv("BENCH_CLIENT_BASIC")
local next_token = tonumber(os.getenv("BENCH_TOKEN_OFFSET") or "0") % #tokens + 1

function request()
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  if path == "/introspect" then
    return wrk.format("POST", path, { ["Authorization"] = "Basic " .. basic,
      ["Content-Type"] = "application/x-www-form-urlencoded" }, "token=" .. token)
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

done = common.done
