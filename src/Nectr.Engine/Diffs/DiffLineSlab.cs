namespace Nectr.Engine.Diffs;

/// <summary>
/// Where a parse keeps its hunks' line records: a few large arrays shared by consecutive hunks, each hunk a segment of
/// one, instead of an array per hunk. A big diff's records then sit in arrays on the large-object heap, which the
/// garbage collector neither copies nor scans (the records hold no references), where 22,000 hunk arrays of a 60 MB
/// diff were copied by every young collection that the parse's own allocations triggered.
/// <para>
/// Small hunks fill the shared array. A hunk whose header promises more than it has left gets an array of its own
/// (when large) or a new shared one. No free space is thrown away while a larger one is at hand: the unused tail of a
/// hunk's own array, or an array a growing hunk moved out of, becomes the shared array when it has more room. On the
/// jQuery history benchmark that cut the records allocated from 1.6 to about 1.3 per line.
/// </para>
/// </summary>
internal sealed class DiffLineSlab
{
    // 8,192 records of 20 bytes: past the 85,000-byte large-object threshold, and small enough that a slab's unused
    // tail (at most the hunk that did not fit) stays a small share.
    private const int MaxSlabLength = 8192;

    /// <summary>A hunk that may need more than this gets an array of its own rather than a fresh shared one.</summary>
    private const int OwnArrayAbove = MaxSlabLength / 4;

    /// <summary>
    /// A hunk that outgrows its array may get up to this many times the lines it has shown so far, within what its header
    /// promised: one copy for most large hunks, while a forged header still costs at most a few times the real lines.
    /// </summary>
    private const int GrowthFactor = 4;

    private DiffLine[] _shared;
    private int _sharedUsed;

    private DiffLine[] _hunk;
    private int _hunkStart;
    private int _used;
    private int _promised;

    /// <summary>Sized from the input: about one record per 64 bytes, so a small patch gets a small array.</summary>
    public DiffLineSlab(int inputBytes) => _hunk = _shared = NewArray(Math.Clamp(inputBytes / 64, 16, MaxSlabLength));

    /// <summary>
    /// Starts a hunk that holds at most <paramref name="maxLines"/> lines (its header's old plus new count, and no more
    /// than the bytes left). At most one slab's length is set aside up front, so a forged header costs at most that; a
    /// longer hunk grows as its lines arrive.
    /// </summary>
    public void BeginHunk(int maxLines)
    {
        _promised = maxLines;
        var upFront = Math.Min(maxLines, MaxSlabLength);
        if (_shared.Length - _sharedUsed >= upFront)
        {
            _hunk = _shared;
            _hunkStart = _sharedUsed;
        }
        else if (upFront > OwnArrayAbove)
        {
            _hunk = NewArray(upFront);
            _hunkStart = 0;
        }
        else
        {
            _hunk = _shared = NewArray(Math.Max(Math.Min(_shared.Length * 2, MaxSlabLength), upFront));
            _sharedUsed = 0;
            _hunkStart = 0;
        }

        _used = _hunkStart;
    }

    public void Add(in DiffLine line)
    {
        if (_used == _hunk.Length)
        {
            Grow();
        }

        _hunk[_used++] = line;
    }

    /// <summary>The lines added since <see cref="BeginHunk"/>; they stay valid, later hunks never overwrite them.</summary>
    public ArraySegment<DiffLine> EndHunk()
    {
        var lines = _used == _hunkStart ? ArraySegment<DiffLine>.Empty : new ArraySegment<DiffLine>(_hunk, _hunkStart, _used - _hunkStart);
        if (ReferenceEquals(_hunk, _shared))
        {
            _sharedUsed = _used;
        }
        else
        {
            Offer(_hunk, _used);
        }

        return lines;
    }

    /// <summary>A larger array into which the current hunk's lines so far move; the room they leave is offered for later hunks.</summary>
    private void Grow()
    {
        var inHunk = _used - _hunkStart;
        var length = Math.Max(Math.Max(Math.Min(_hunk.Length * 2, MaxSlabLength), inHunk * 2), Math.Min(_promised, inHunk * GrowthFactor));
        var next = NewArray(length);
        Array.Copy(_hunk, _hunkStart, next, 0, inHunk);
        if (ReferenceEquals(_hunk, _shared))
        {
            _sharedUsed = _hunkStart; // the hunk's records there were copied out: later hunks may reuse the room
        }
        else
        {
            Offer(_hunk, 0); // held only this hunk
        }

        _hunk = next;
        _hunkStart = 0;
        _used = inHunk;
    }

    /// <summary>Makes <paramref name="array"/> the shared array when its room from <paramref name="used"/> on is larger.</summary>
    private void Offer(DiffLine[] array, int used)
    {
        if (array.Length - used > _shared.Length - _sharedUsed)
        {
            _shared = array;
            _sharedUsed = used;
        }
    }

    private static DiffLine[] NewArray(int length) => new DiffLine[length];
}
