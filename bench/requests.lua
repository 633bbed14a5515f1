-- wrk script for the benchmark's two request patterns. Threads number themselves so no two send the same.
--   wrk ... -s requests.lua URL                 every request gets an address of its own (a "_" parameter, the
--                                               cache-buster the site and the API ignore), so no cache answers and
--                                               each runs the whole page; URL must already have a query string;
--   wrk ... -s requests.lua URL -- PATH PATH…   requests cycle through the paths, each thread starting at another.
local threads = 0
local paths = {}

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  for i, path in ipairs(args) do
    paths[i] = path
  end
  sent = thread_number
end

function request()
  sent = sent + 1
  if #paths > 0 then
    return wrk.format(nil, paths[(sent % #paths) + 1])
  end
  return wrk.format(nil, wrk.path .. "&_=" .. thread_number .. "-" .. sent)
end
