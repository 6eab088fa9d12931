-- wrk script for bench/load.sh: POSTs a token request and checks every answer.
--
--   wrk ... -s bench/token.lua URL -- APPID SECRET [EXPECT]
--
-- Sends POST {"appId":APPID,"appSecret":SECRET} with Content-Type: application/json. A response
-- counts as good only if its status is 200 and its body contains EXPECT (default
-- '"statusCode":200', wxtoken's success envelope; wxtoken answers most errors with HTTP 200 and an
-- error envelope, so the status alone proves nothing). load.sh uses the same script, with
-- EXPECT 'Hello, World!', against the hello-world baseline, so both servers get byte-identical
-- requests and the client does the same work per response.
--
-- bench/token-unique.lua builds on this script to make every request's body different.
--
-- done() prints one line "CHECK good=N bad=M" (summed over wrk threads) for load.sh to parse.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end


function init(args)
  local appId = args[1] or error("usage: -- APPID SECRET [EXPECT]")
  local secret = args[2] or error("usage: -- APPID SECRET [EXPECT]")
  expect = args[3] or '"statusCode":200'
  -- for token-unique.lua: the start of a body that continues with a per-request number
  head = string.format('{"appId":"%s","appSecret":"%s","n":"%s-', appId, secret, id)
  sent = 0
  good = 0
  bad = 0
  wrk.method = "POST"
  wrk.body = string.format('{"appId":"%s","appSecret":"%s"}', appId, secret)
  wrk.headers["Content-Type"] = "application/json"
end

function response(status, headers, body)
  if status == 200 and body ~= nil and string.find(body, expect, 1, true) then
    good = good + 1
  else
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write(string.format("bad response: status %d body %s\n", status,
        string.sub(body or "", 1, 300)))
    end
  end
end

function done(summary, latency, requests)
  local g, b = 0, 0
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    b = b + thread:get("bad")
  end
  io.write(string.format("CHECK good=%d bad=%d\n", g, b))
end
