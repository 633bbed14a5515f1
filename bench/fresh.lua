-- wrk script: every request gets an address of its own (a "fresh" parameter the site ignores), so the search
-- cache never answers and each request runs the whole search. Threads number themselves so no two send the same.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, wrk.path .. "&fresh=" .. thread_number .. "-" .. sent)
end
