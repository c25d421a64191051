package bytewords

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// Style selects how words are written.
type Style int

const (
	// Standard writes whole words separated by spaces.
	Standard Style = iota
	// URI writes whole words separated by hyphens.
	URI
	// Minimal writes the first and last letter of each word, with no
	// separator. Uniform Resources use this style.
	Minimal
)

func (s Style) String() string {
	switch s {
	case Standard:
		return "standard"
	case URI:
		return "uri"
	case Minimal:
		return "minimal"
	}
	return fmt.Sprintf("style(%d)", int(s))
}

// words holds the 256 Bytewords in byte order, four letters each.
const words = "" +
	"ableacidalsoapexaquaarchatomauntawayaxisbackbaldbarnbeltbetabias" +
	"bluebodybragbrewbulbbuzzcalmcashcatschefcityclawcodecolacookcost" +
	"cruxcurlcuspcyandarkdatadaysdelidicedietdoordowndrawdropdrumdull" +
	"dutyeacheasyechoedgeepicevenexamexiteyesfactfairfernfigsfilmfish" +
	"fizzflapflewfluxfoxyfreefrogfuelfundgalagamegeargemsgiftgirlglow" +
	"goodgraygrimgurugushgyrohalfhanghardhawkheathelphighhillholyhope" +
	"hornhutsicedideaidleinchinkyintoirisironitemjadejazzjoinjoltjowl" +
	"judojugsjumpjunkjurykeepkenokeptkeyskickkilnkingkitekiwiknoblamb" +
	"lavalazyleaflegsliarlimplionlistlogoloudloveluaulucklungmainmany" +
	"mathmazememomenumeowmildmintmissmonknailnavyneednewsnextnoonnote" +
	"numbobeyoboeomitonyxopenovalowlspaidpartpeckplaypluspoempoolpose" +
	"puffpumapurrquadquizraceramprealredorichroadrockroofrubyruinruns" +
	"rustsafesagascarsetssilkskewslotsoapsolosongstubsurfswantacotask" +
	"taxitenttiedtimetinytoiltombtoystriptunatwinuglyundouniturgeuser" +
	"vastveryvetovialvibeviewvisavoidvowswallwandwarmwaspwavewaxywebs" +
	"whatwhenwhizwolfworkyankyawnyellyogayurtzapszerozestzinczonezoom"

// ErrChecksum reports words whose CRC-32 does not match their data.
var ErrChecksum = errors.New("bytewords: checksum does not match")

// ErrTooShort reports fewer than five bytes (one of data, four of checksum).
var ErrTooShort = errors.New("bytewords: too short: need at least one byte of data and four of checksum")

// WordError reports a word (or, in the minimal style, a letter pair) that
// is not a byteword. Index counts from 1.
type WordError struct {
	Style Style
	Index int
}

func (e *WordError) Error() string {
	if e.Style == Minimal {
		return fmt.Sprintf("bytewords: letter pair %d is not the first and last letter of a byteword", e.Index)
	}
	return fmt.Sprintf("bytewords: word %d is not a byteword", e.Index)
}

// Word returns the byteword for b.
func Word(b byte) string { return words[int(b)*4 : int(b)*4+4] }

// pairIndex maps first and last letter ('a'..'z') to byte value + 1.
var pairIndex = func() (t [26][26]uint16) {
	for i := 0; i < 256; i++ {
		w := words[i*4 : i*4+4]
		t[w[0]-'a'][w[3]-'a'] = uint16(i) + 1
	}
	return t
}()

// Checksum is the CRC-32 (ISO-HDLC, the zlib polynomial) of data as the
// specification uses it.
func Checksum(data []byte) uint32 { return crc32.ChecksumIEEE(data) }

// Encode writes data followed by its big-endian CRC-32 in the given style.
func Encode(style Style, data []byte) string {
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], Checksum(data))
	all := make([]byte, 0, len(data)+4)
	all = append(append(all, data...), crc[:]...)
	var sb strings.Builder
	switch style {
	case Minimal:
		sb.Grow(2 * len(all))
		for _, b := range all {
			w := Word(b)
			sb.WriteByte(w[0])
			sb.WriteByte(w[3])
		}
	default:
		sep := byte(' ')
		if style == URI {
			sep = '-'
		}
		sb.Grow(5 * len(all))
		for i, b := range all {
			if i > 0 {
				sb.WriteByte(sep)
			}
			sb.WriteString(Word(b))
		}
	}
	return sb.String()
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func lookup(first, last byte) (byte, bool) {
	first, last = lower(first), lower(last)
	if first < 'a' || first > 'z' || last < 'a' || last > 'z' {
		return 0, false
	}
	v := pairIndex[first-'a'][last-'a']
	if v == 0 {
		return 0, false
	}
	return byte(v - 1), true
}

// Decode reads words in the given style, checks the trailing CRC-32 and
// returns the data without it. Case is ignored.
func Decode(style Style, s string) ([]byte, error) {
	var all []byte
	switch style {
	case Minimal:
		if len(s)%2 != 0 {
			return nil, &WordError{Style: style, Index: len(s)/2 + 1}
		}
		all = make([]byte, 0, len(s)/2)
		for i := 0; i < len(s); i += 2 {
			b, ok := lookup(s[i], s[i+1])
			if !ok {
				return nil, &WordError{Style: style, Index: i/2 + 1}
			}
			all = append(all, b)
		}
	case Standard, URI:
		if s == "" {
			return nil, ErrTooShort
		}
		sep := " "
		if style == URI {
			sep = "-"
		}
		n := strings.Count(s, sep) + 1
		all = make([]byte, 0, n)
		for i := 0; i < n; i++ {
			w := s
			if j := strings.Index(s, sep); j >= 0 {
				w, s = s[:j], s[j+1:]
			}
			if len(w) != 4 {
				return nil, &WordError{Style: style, Index: i + 1}
			}
			b, ok := lookup(w[0], w[3])
			if !ok || !strings.EqualFold(w, Word(b)) {
				return nil, &WordError{Style: style, Index: i + 1}
			}
			all = append(all, b)
		}
	default:
		return nil, fmt.Errorf("bytewords: unknown style %d", int(style))
	}
	if len(all) < 5 {
		return nil, ErrTooShort
	}
	data, crc := all[:len(all)-4], all[len(all)-4:]
	if binary.BigEndian.Uint32(crc) != Checksum(data) {
		return nil, ErrChecksum
	}
	return data, nil
}
