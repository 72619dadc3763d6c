namespace Nectr.Engine.Diffs;

/// <summary>
/// Where a parse keeps its hunks' line records: a few large arrays shared by consecutive hunks, each hunk a segment of
/// one, instead of an array per hunk. A big diff's records then sit in arrays on the large-object heap, which the
/// garbage collector neither copies nor scans (the records hold no references), where 22,000 hunk arrays of a 60 MB
/// diff were copied by every young collection that the parse's own allocations triggered.
/// </summary>
internal sealed class DiffLineSlab
{
    // 8,192 records of 20 bytes: past the 85,000-byte large-object threshold, and small enough that a slab's unused
    // tail (at most the hunk that did not fit) stays a small share.
    private const int MaxSlabLength = 8192;

    private DiffLine[] _slab;
    private int _used;
    private int _hunkStart;

    /// <summary>Sized from the input: about one record per 64 bytes, so a small patch gets a small array.</summary>
    public DiffLineSlab(int inputBytes) => _slab = new DiffLine[Math.Clamp(inputBytes / 64, 16, MaxSlabLength)];

    /// <summary>
    /// Starts a hunk that holds at most <paramref name="maxLines"/> lines (its header's old plus new count, and no more
    /// than the bytes left): a hunk that may not fit starts a new slab. At most one slab's length is set aside up front,
    /// so a forged header costs at most that; a longer hunk grows as its lines arrive.
    /// </summary>
    public void BeginHunk(int maxLines)
    {
        maxLines = Math.Min(maxLines, MaxSlabLength);
        if (_slab.Length - _used < maxLines)
        {
            _slab = new DiffLine[Math.Max(Math.Min(_slab.Length * 2, MaxSlabLength), maxLines)];
            _used = 0;
        }

        _hunkStart = _used;
    }

    public void Add(in DiffLine line)
    {
        if (_used == _slab.Length)
        {
            Grow();
        }

        _slab[_used++] = line;
    }

    /// <summary>The lines added since <see cref="BeginHunk"/>; they stay valid, later hunks never overwrite them.</summary>
    public ArraySegment<DiffLine> EndHunk() =>
        _used == _hunkStart ? ArraySegment<DiffLine>.Empty : new ArraySegment<DiffLine>(_slab, _hunkStart, _used - _hunkStart);

    /// <summary>
    /// A new slab, into which the current hunk's lines so far move; the old one keeps the finished hunks. Only a hunk
    /// of more than <see cref="MaxSlabLength"/> lines gets here (it doubles).
    /// </summary>
    private void Grow()
    {
        var inHunk = _used - _hunkStart;
        var next = new DiffLine[Math.Max(Math.Min(_slab.Length * 2, MaxSlabLength), inHunk * 2)];
        Array.Copy(_slab, _hunkStart, next, 0, inHunk);
        _slab = next;
        _used = inHunk;
        _hunkStart = 0;
    }
}
