const EN: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its",
    "that", "this", "these", "those", "he", "she", "they", "we", "you", "i", "his", "her", "their",
    "our", "not", "will", "would", "can", "could", "said", "which", "who", "than", "there", "into",
    "about", "after", "also", "more", "if", "when", "what", "so", "do", "does",
];
const ES: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "en", "con", "por", "para",
    "que", "es", "son", "fue", "se", "su", "sus", "al", "lo", "como", "más", "pero", "no", "ha",
    "este", "esta", "sobre", "entre",
];
const PT: &[&str] = &[
    "o", "a", "os", "as", "um", "uma", "e", "ou", "de", "do", "da", "dos", "das", "em", "no", "na",
    "nos", "nas", "com", "por", "para", "que", "é", "foi", "se", "seu", "sua", "ao", "como",
    "mais", "mas", "não", "pelo", "pela",
];
const FR: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "et", "ou", "de", "du", "en", "dans", "avec", "par",
    "pour", "que", "qui", "est", "sont", "été", "se", "sa", "son", "ses", "au", "aux", "ce",
    "cette", "plus", "mais", "ne", "pas", "sur", "il", "elle",
];
const DE: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "und", "oder", "von", "zu", "im",
    "in", "mit", "auf", "für", "ist", "sind", "war", "wurde", "sich", "sein", "nicht", "auch",
    "als", "wie", "bei", "nach", "es", "er", "sie", "dass",
];
const IT: &[&str] = &[
    "il", "lo", "la", "i", "gli", "le", "un", "una", "e", "o", "di", "del", "della", "in", "con",
    "per", "che", "è", "sono", "era", "si", "suo", "sua", "al", "come", "più", "ma", "non", "nel",
    "nella", "da",
];
const NL: &[&str] = &[
    "de", "het", "een", "en", "of", "van", "in", "op", "met", "voor", "dat", "die", "is", "zijn",
    "was", "werd", "zich", "niet", "ook", "als", "bij", "naar", "er", "hij", "zij", "aan",
];
const LANGS: &[&[&str]] = &[EN, ES, PT, FR, DE, IT, NL];
