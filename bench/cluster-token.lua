-- wrk script for bench/cluster-load.sh: bench/token.lua's checked token request, with wrk's
-- threads spread over several servers.
--
--   WRK_PORTS=P1,P2,P3 wrk -tT -cC ... -s bench/cluster-token.lua http://127.0.0.1:P1/PATH -- APPID SECRET [EXPECT]
--
-- Thread i (0-based, in setup order) connects to 127.0.0.1:P[(i mod #ports) + 1], so with -t3 and
-- three ports each server gets one thread and C/3 connections, and wrk's latency histogram and
-- req/s cover all servers together (one client process, one merged p99). With one port every thread
-- goes to the same server: the same client shape against a single node. The URL still names the
-- path (and the Host header, which wxtoken ignores); its port is only the default address.
--
-- Requests and checks are token.lua's: POST {"appId":APPID,"appSecret":SECRET}; good only if the
-- status is 200 and the body contains EXPECT (default '"statusCode":200').
--
-- done() prints "CHECK good=N bad=M" (summed over threads, as token.lua does) and, per thread,
-- "THREAD i port=P good=N bad=M", so the script can see that every server answered its share.

local threads = {}

function setup(thread)
  local list = os.getenv("WRK_PORTS") or error("set WRK_PORTS=port[,port...]")
  local ports = {}
  for p in string.gmatch(list, "%d+") do
    table.insert(ports, p)
  end
  if #ports == 0 then
    error("WRK_PORTS has no port: " .. list)
  end
  local index = #threads
  local port = ports[(index % #ports) + 1]
  local addrs = wrk.lookup("127.0.0.1", port)
  if addrs == nil or #addrs == 0 then
    error("cannot resolve 127.0.0.1:" .. port)
  end
  thread.addr = addrs[1]
  thread:set("port", port)
  table.insert(threads, thread)
end

function init(args)
  local appId = args[1] or error("usage: -- APPID SECRET [EXPECT]")
  local secret = args[2] or error("usage: -- APPID SECRET [EXPECT]")
  expect = args[3] or '"statusCode":200'
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
  for i, thread in ipairs(threads) do
    local tg, tb = thread:get("good"), thread:get("bad")
    g = g + tg
    b = b + tb
    io.write(string.format("THREAD %d port=%s good=%d bad=%d\n", i - 1, thread:get("port"), tg, tb))
  end
  io.write(string.format("CHECK good=%d bad=%d\n", g, b))
end
