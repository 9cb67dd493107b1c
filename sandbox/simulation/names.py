"""Names for people and companies, and the spellings Xero uses for the same clients.

Company names must be unique (the crosswalk matches on them) without a global registry, so a
company's serial number is mapped through a bijection onto word combinations. People's names may
repeat, as they do in real CRMs.
"""

from __future__ import annotations

import random

# fmt: off
FIRST_NAMES = (
    'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
    'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles',
    'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Betty', 'Mark', 'Sandra', 'Donald',
    'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle', 'Kenneth',
    'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
    'Ronald', 'Rebecca', 'Jason', 'Laura', 'Edward', 'Sharon', 'Jeffrey', 'Cynthia', 'Ryan', 'Kathleen',
    'Jacob', 'Amy', 'Gary', 'Angela', 'Nicholas', 'Shirley', 'Eric', 'Anna', 'Jonathan', 'Brenda',
    'Stephen', 'Pamela', 'Larry', 'Emma', 'Justin', 'Nicole', 'Scott', 'Helen', 'Brandon', 'Samantha',
    'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Debra', 'Alexander', 'Rachel', 'Priya',
    'Wei', 'Aisha', 'Mateo', 'Sofia', 'Omar', 'Yuki', 'Lars', 'Ingrid', 'Raj', 'Fatima',
)
LAST_NAMES = (
    'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
    'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore',
    'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez',
    'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen',
    'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell',
    'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards',
    'Collins', 'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez',
    'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox',
    'Ward', 'Richardson', 'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza',
    'Ruiz', 'Hughes', 'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross',
    'Foster', 'Okafor', 'Lindqvist',
)
PREFIXES = (
    'Blue', 'Red', 'Green', 'Silver', 'Golden', 'Iron', 'Granite', 'Cedar', 'Maple', 'Oak', 'Pine',
    'Birch', 'Summit', 'Harbor', 'Bay', 'River', 'Lake', 'Prairie', 'Canyon', 'Mesa', 'Ridge', 'Valley',
    'Coastal', 'Northern', 'Southern', 'Eastern', 'Western', 'Central', 'Pacific', 'Atlantic',
    'Liberty', 'Heritage', 'Pioneer', 'Frontier', 'Keystone', 'Cornerstone', 'Landmark', 'Beacon',
    'Anchor', 'Compass', 'Meridian', 'Vertex', 'Apex', 'Pinnacle', 'Crest', 'Horizon', 'Evergreen',
    'Redwood', 'Sequoia', 'Aspen', 'Willow', 'Juniper', 'Magnolia', 'Laurel', 'Sterling', 'Cobalt',
    'Crimson', 'Amber', 'Ivory', 'Onyx', 'Jade', 'Falcon', 'Eagle', 'Hawk', 'Raven', 'Fox', 'Wolf',
    'Bear', 'Lion', 'Tiger', 'Stone', 'Brook', 'Clear', 'Bright', 'Swift', 'True', 'Prime', 'Noble',
    'Grand', 'Royal', 'Union', 'Capital', 'Metro', 'Urban', 'Rural', 'Delta', 'Sierra', 'Alpine',
    'Tidewater', 'Lakeshore', 'Hillside', 'Riverside', 'Fairview', 'Greenfield', 'Brightwater',
    'Northstar', 'Southgate', 'Westbrook', 'Eastwood',
)
NOUNS = (
    'Dental', 'Legal', 'Logistics', 'Construction', 'Manufacturing', 'Realty', 'Insurance',
    'Accounting', 'Engineering', 'Architecture', 'Medical', 'Health', 'Pharmacy', 'Veterinary',
    'Clinic', 'Financial', 'Capital', 'Wealth', 'Advisors', 'Foods', 'Brewing', 'Farms', 'Dairy',
    'Motors', 'Automotive', 'Transport', 'Freight', 'Marine', 'Aviation', 'Energy', 'Solar', 'Electric',
    'Plumbing', 'Roofing', 'Landscaping', 'Design', 'Media', 'Studios', 'Printing', 'Publishing',
    'Education', 'Academy', 'School', 'Church', 'Foundation', 'Hospitality', 'Hotels', 'Restaurants',
    'Catering', 'Retail', 'Outfitters', 'Supply', 'Distribution', 'Wholesale', 'Labs', 'Biotech',
    'Analytics', 'Consulting', 'Staffing', 'Recruiting', 'Security', 'Systems', 'Telecom', 'Networks',
    'Software', 'Robotics', 'Machining', 'Fabrication', 'Tooling', 'Plastics', 'Packaging', 'Textiles',
    'Furniture', 'Interiors', 'Flooring', 'Glass', 'Steel', 'Lumber', 'Concrete', 'Paving',
    'Excavation', 'Surveying', 'Environmental', 'Water', 'Waste', 'Recycling', 'Property', 'Management',
    'Title', 'Escrow', 'Mortgage', 'Lending', 'Credit',
)
# fmt: on
SUFFIXES = ("Corp", "Group", "Partners", "LLC", "Inc", "Co", "Associates", "Services", "Holdings", "Company")
INDUSTRIES = (
    "ACCOUNTING",
    "LEGAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "CONSTRUCTION",
    "REAL_ESTATE",
    "FINANCIAL_SERVICES",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
    "NONPROFIT_ORGANIZATION_MANAGEMENT",
    "RETAIL",
    "ARCHITECTURE_PLANNING",
    "INSURANCE",
    "EDUCATION_MANAGEMENT",
    "MEDICAL_PRACTICE",
)
CITIES = (
    ("New York", "NY", "United States"),
    ("Boston", "MA", "United States"),
    ("Philadelphia", "PA", "United States"),
    ("Newark", "NJ", "United States"),
    ("Hartford", "CT", "United States"),
    ("Baltimore", "MD", "United States"),
    ("Pittsburgh", "PA", "United States"),
    ("Albany", "NY", "United States"),
    ("Providence", "RI", "United States"),
    ("Stamford", "CT", "United States"),
    ("Toronto", "ON", "Canada"),
    ("Ottawa", "ON", "Canada"),
    ("Montreal", "QC", "Canada"),
)
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com")
JOB_TITLES = (
    "Owner",
    "Office Manager",
    "Operations Manager",
    "CFO",
    "Controller",
    "Managing Partner",
    "COO",
    "IT Coordinator",
    "Practice Manager",
    "President",
    "VP Operations",
    "Director of Finance",
)

_SPACE = len(PREFIXES) * len(NOUNS) * len(SUFFIXES)
_STRIDE = 7_919  # prime, coprime with the space size: scatters consecutive serials over the name space


def company_name(serial: int, seed: int) -> str:
    """A unique company name for a serial: a bijection of (serial + seed offset) onto words."""
    slot = (serial * _STRIDE + seed * 104_729) % _SPACE
    rest, suffix = divmod(slot, len(SUFFIXES))
    prefix, noun = divmod(rest, len(NOUNS))
    name = f"{PREFIXES[prefix]} {NOUNS[noun]} {SUFFIXES[suffix]}"
    lap = serial // _SPACE
    return f"{name} {lap + 1}" if lap else name


def domain_for(name: str) -> str:
    """The web domain a company of that name would own."""
    words = name.lower().split()
    core = words[:-1] if words[-1] in {s.lower() for s in SUFFIXES} else words
    return "".join(core) + ".com"


def person(rng: random.Random) -> tuple[str, str]:
    """A first and last name."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def fuzzy_variant(name: str, rng: random.Random) -> str:
    """How a bookkeeper might spell the same client in Xero ("Acme Corp" -> "ACME Corporation LLC")."""
    words = name.split()
    base = " ".join(words[:-1])
    suffix = words[-1]
    variants = (
        f"{base.upper()} {'Corporation' if suffix == 'Corp' else suffix} LLC",
        f"{base}, {suffix}.",
        f"The {base} {suffix}",
        f"{base.replace(' ', '')} {suffix}",
        f"{base} {'Incorporated' if suffix == 'Inc' else 'Inc.'}",
    )
    return rng.choice(variants)


def legal_name(rng: random.Random, serial: int, seed: int) -> str:
    """An unrelated legal entity name (holding company) for clients matched only by id."""
    other = company_name(serial + 7_777_777, seed + 1).split()
    return f"{other[0]} {rng.choice(('Holdings', 'Ventures', 'Enterprises', 'Management'))} LLC"
