"""Film titles in Sakila's style: two upper-case words, a noun after an adjective or another noun
("ACADEMY DINOSAUR", "FROZEN HARBOR"), one of its own for every film. Our own word lists, so no title carries a function word or a
pronoun ("HE PASS", "REDUCE WHOSE"), as titles drawn from a lorem-ipsum list did."""

from __future__ import annotations

import hashlib

ADJECTIVES = (
    "AMBER", "ANCIENT", "ANGRY", "ARCTIC", "ATOMIC", "BACKWARD", "BAREFOOT", "BITTER", "BLIND", "BLUE",
    "BOLD", "BRAVE", "BRIGHT", "BROKEN", "BURNING", "CALM", "CELESTIAL", "CLEVER", "COLD", "COPPER",
    "COSMIC", "CRIMSON", "CROOKED", "CRYSTAL", "DARK", "DEADLY", "DEEP", "DESERT", "DIGITAL", "DIZZY",
    "DOUBLE", "DREAMY", "DUSTY", "EAGER", "ELECTRIC", "EMPTY", "ENDLESS", "ETERNAL", "FAITHFUL", "FALLEN",
    "FAMOUS", "FEARLESS", "FIERY", "FINAL", "FLYING", "FORBIDDEN", "FORGOTTEN", "FRANTIC", "FROZEN",
    "GENTLE", "GHOSTLY", "GIANT", "GOLDEN", "GRAND", "GREEN", "HAUNTED", "HIDDEN", "HOLLOW", "HUMBLE",
    "ICY", "IDLE", "IRON", "JEALOUS", "JOLLY", "LAST", "LAZY", "LIMITLESS", "LONELY", "LOST", "LOUD",
    "LUCKY", "MAGIC", "MIDNIGHT", "MIGHTY", "MISSING", "MODERN", "MYSTIC", "NAKED", "NOBLE", "NORTHERN",
    "PERFECT", "POLAR", "PRIVATE", "PROUD", "PURPLE", "QUIET", "RAGING", "RAPID", "RECKLESS", "RESTLESS",
    "ROYAL", "RUSTY", "SACRED", "SAVAGE", "SCARLET", "SECRET", "SHADOW", "SILENT", "SILVER", "SLEEPY",
    "SOLAR", "SOUTHERN", "SPICY", "STARRY", "STEEL", "STOLEN", "STORMY", "STRANGE", "SUDDEN", "SWEET",
    "SWIFT", "TENDER", "TINY", "TROPICAL", "TWISTED", "UNDERCOVER", "URBAN", "VELVET", "VIOLENT",
    "WANDERING", "WICKED", "WILD", "WINTER", "WOODEN", "YOUNG",
)

NOUNS = (
    "ACADEMY", "AFFAIR", "AGENT", "AIRPORT", "ALIBI", "ALLEY", "ANGEL", "ANTHEM", "APOCALYPSE", "ARMY",
    "ARROW", "ASSASSIN", "AVALANCHE", "BALLET", "BANDIT", "BANQUET", "BARON", "BEACH", "BEAST", "BETRAYAL",
    "BLADE", "BLIZZARD", "BRIDE", "BRIDGE", "BROTHERHOOD", "BUTTERFLY", "CABIN", "CANYON", "CARNIVAL",
    "CASINO", "CASTLE", "CATHEDRAL", "CHAMPION", "CHARIOT", "CIRCUS", "CITADEL", "CLOWN", "COMET",
    "CONFESSION", "CONSPIRACY", "COWBOY", "CRUSADE", "DAISY", "DESTINY", "DETECTIVE", "DIAMOND", "DINOSAUR",
    "DOCTOR", "DRAGON", "DREAM", "DYNASTY", "EAGLE", "ECHO", "EMPIRE", "ENCOUNTER", "EXPRESS", "FALCON",
    "FANTASY", "FESTIVAL", "FLAME", "FORTRESS", "FORTUNE", "FRONTIER", "GALAXY", "GAMBIT", "GARDEN",
    "GHOST", "GLADIATOR", "GOLDFINGER", "GRAFFITI", "GUARDIAN", "HARBOR", "HARVEST", "HEIST", "HERO",
    "HIGHWAY", "HORIZON", "HOTEL", "HUNTER", "HURRICANE", "INSPECTOR", "ISLAND", "JOURNEY", "JUNGLE",
    "JURY", "KINGDOM", "KNIGHT", "LABYRINTH", "LAGOON", "LEGACY", "LEGEND", "LIGHTHOUSE", "MADNESS",
    "MAGNOLIA", "MANSION", "MARATHON", "MASQUERADE", "MEADOW", "MERCENARY", "MIRAGE", "MIRROR",
    "MONASTERY", "MONSOON", "MOUNTAIN", "MUSKETEER", "MUTINY", "NOMAD", "OASIS", "OCEAN", "ODYSSEY",
    "ORCHARD", "OUTLAW", "PALACE", "PARADISE", "PASSAGE", "PATROL", "PHANTOM", "PILGRIM", "PIRATE",
    "PLANET", "PRAIRIE", "PRINCESS", "PROPHECY", "PUZZLE", "QUEST", "RACER", "RAINBOW", "RANSOM",
    "REBEL", "REQUIEM", "RIVER", "ROCKET", "ROMANCE", "SAFARI", "SAMURAI", "SANCTUARY", "SERENADE",
    "SHERIFF", "SHIPWRECK", "SIEGE", "SKYSCRAPER", "SMUGGLER", "SOLDIER", "SONATA", "SPARROW", "SPIRAL",
    "STAMPEDE", "STATION", "STRANGER", "SUBMARINE", "SUMMIT", "SUNSET", "SWAMP", "SYMPHONY", "TEMPLE",
    "TEMPEST", "THUNDER", "TORNADO", "TOURNAMENT", "TRAIN", "TREASURE", "TRIBE", "TROJAN", "TUNNEL",
    "TWILIGHT", "TYCOON", "UNIVERSE", "VALLEY", "VAMPIRE", "VENDETTA", "VERTIGO", "VILLAGE", "VOLCANO",
    "VOYAGE", "WALTZ", "WARRIOR", "WATERFALL", "WILDERNESS", "WIZARD", "WOLF", "ZEPHYR",
)


#: Every title there is: an adjective or a noun, then another noun.
PAIRS = tuple((a, b) for a in ADJECTIVES + NOUNS for b in NOUNS if a != b)
_STEP = 7919  # a prime that does not divide len(PAIRS): id -> pair is one-to-one over len(PAIRS) ids


def title_for(seed: int, film_id: int) -> str:
    """The film's title: a function of (seed, film_id) that gives every film of a catalogue (up to
    len(PAIRS), 55,205, films) its own title, with no list of the titles taken to keep."""
    n = len(PAIRS)
    offset = int.from_bytes(hashlib.sha256(f"{seed}:titles".encode()).digest()[:8], "big") % n
    a, b = PAIRS[(offset + film_id * _STEP) % n]
    return f"{a} {b}"
