// nectr-numstat DIFF_FILE [--timings]: what `git apply --numstat DIFF_FILE` prints, from Nectr's parser.
return Nectr.Benchmarks.Parser.NumstatCommand.Run(args);
