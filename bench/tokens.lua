-- Cycles through the tokens in BENCH_TOKEN_FILE (one per line), one per request, against BENCH_PATH:
-- "/introspect" (form body, client Basic auth from BENCH_CLIENT_BASIC) or "/auth" (Bearer header).
-- BENCH_TOKEN_OFFSET [0]: where in the file to begin (bench/services.sh chains runs into one pass over the file).
-- BENCH_PASS_LEFT: when set, prints PASS_DONE_MS=<epoch ms> at that many responses (wrk 4.1 cannot stop after a
-- count, so bench/services.sh times a pass by this line, not by the end of the run).
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

local pass_left = tonumber(os.getenv("BENCH_PASS_LEFT") or "")
if pass_left then
  local answered = 0
  function response()
    answered = answered + 1
    if answered == pass_left then
      local clock = io.popen("date +%s%3N")
      io.write("PASS_DONE_MS=" .. clock:read("*l") .. "\n")
      clock:close()
    end
  end
end

done = common.done
