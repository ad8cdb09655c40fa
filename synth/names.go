package synth

// The lists below are common given names, family names, street names and
// cities of each locale: the kind of frequency-list material found in any
// phone book or census summary. They are combined at random, so no row
// describes a real person.

import "strings"

// nameEntry is one given or family name.
type nameEntry struct {
	native   string // as written in the locale's script
	fem      string // female form of a family name; "" when it does not change
	latin    string // Latin transliteration for e-mail addresses; "" = fold native
	femLatin string
	kana     string // katakana reading, for Japanese names
	patM     string // patronymics formed from a male given name (Ukrainian)
	patF     string
}

// latinNames builds entries for names already in Latin script.
func latinNames(names ...string) []nameEntry {
	out := make([]nameEntry, len(names))
	for i, n := range names {
		out[i] = nameEntry{native: n}
	}
	return out
}

// translit builds entries from "native|latin[|patM|patF]"; a family name
// whose female form differs is written "male/female|maleLatin/femaleLatin".
func translit(names ...string) []nameEntry {
	out := make([]nameEntry, len(names))
	for i, n := range names {
		f := strings.Split(n, "|")
		e := &out[i]
		e.native, e.fem, _ = strings.Cut(f[0], "/")
		e.latin, e.femLatin, _ = strings.Cut(f[1], "/")
		if len(f) == 4 {
			e.patM, e.patF = f[2], f[3]
		}
	}
	return out
}

// kanji builds entries from "kanji|katakana|romaji".
func kanji(names ...string) []nameEntry {
	out := make([]nameEntry, len(names))
	for i, n := range names {
		f := strings.Split(n, "|")
		out[i] = nameEntry{native: f[0], kana: f[1], latin: f[2]}
	}
	return out
}

// form returns the name as borne by someone of the given sex.
func (e nameEntry) form(female bool) (native, latin string) {
	native, latin = e.native, e.latin
	if female && e.fem != "" {
		native, latin = e.fem, e.femLatin
	}
	return native, latin
}

// street is a street name and its type ("Calle", "rue", "вул."), kept apart
// because the API's streetName must not include the type while a full
// address does.
type street struct{ typ, name string }

// streets builds entries from "type|name" or, where the type is part of the
// name (Hauptstraße, Kerkstraat, High Street), from the name alone.
func streets(list ...string) []street {
	out := make([]street, len(list))
	for i, s := range list {
		if t, n, ok := strings.Cut(s, "|"); ok {
			out[i] = street{t, n}
		} else {
			out[i] = street{name: s}
		}
	}
	return out
}

// city is a locality with its region and the leading part of its postal
// codes; max, when set, bounds the number drawn after the prefix (Paris has
// 20 arrondissements), abbr is the state abbreviation used in Brazilian
// addresses.
type city struct {
	name, region, code, abbr string
	max                      int
}

// cities builds entries from "name|region|code[|max][|abbr]".
func cities(list ...string) []city {
	out := make([]city, len(list))
	for i, s := range list {
		f := strings.Split(s, "|")
		c := city{name: f[0], region: f[1], code: f[2]}
		for _, x := range f[3:] {
			if n, ok := atoi(x); ok {
				c.max = n
			} else {
				c.abbr = x
			}
		}
		out[i] = c
	}
	return out
}

func atoi(s string) (int, bool) {
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != ""
}

var (
	esMale = latinNames("José", "Antonio", "Manuel", "Francisco", "David", "Juan", "Javier",
		"José Luis", "Jesús", "Daniel", "Carlos", "Miguel", "Alejandro", "Rafael", "Pablo",
		"Álvaro", "Sergio", "Jorge", "Íñigo", "Adrián", "Hugo", "Joan", "Jordi", "Óscar")
	esFemale = latinNames("María", "Carmen", "Ana", "Isabel", "Laura", "Lucía", "Cristina",
		"Marta", "Sofía", "Paula", "Elena", "Raquel", "Nuria", "Begoña", "Pilar", "Inés",
		"Aitana", "Irene", "Rocío", "Ainhoa", "María José", "Montserrat", "Noelia")
	esFamily = latinNames("García", "Rodríguez", "González", "Fernández", "López", "Martínez",
		"Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz",
		"Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres",
		"Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Suárez",
		"Castillo", "Ortega", "Núñez", "Peña", "Iglesias", "Echeverría", "Ibáñez", "de la Fuente")

	deMale = latinNames("Lukas", "Jonas", "Leon", "Finn", "Paul", "Felix", "Maximilian",
		"Jürgen", "Jörg", "Günter", "Uwe", "Björn", "Sören", "Hans-Peter", "Karl-Heinz",
		"Thomas", "Michael", "Stefan", "Andreas", "Wolfgang", "Klaus", "Matthias", "Dieter")
	deFemale = latinNames("Anna", "Lena", "Mia", "Emma", "Hannah", "Sophie", "Lea", "Käthe",
		"Jutta", "Ursula", "Brigitte", "Renate", "Sabine", "Anneliese", "Gisela", "Ingrid",
		"Zoë", "Marie-Luise", "Bärbel", "Jördis", "Heike", "Doris")
	deFamily = latinNames("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
		"Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter",
		"Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
		"Hofmann", "Hartmann", "Lange", "Weiß", "Groß", "Strauß", "Köhler", "Meißner",
		"Jäger", "Günther", "Fuchs", "Vogel", "von Bülow", "Özdemir")

	frMale = latinNames("Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "François",
		"Jérôme", "Stéphane", "Sébastien", "Julien", "Thomas", "Lucas", "Hugo", "Théo",
		"Noël", "Jean-Pierre", "Jean-Luc", "Loïc", "Gaël", "Benoît", "Hervé", "Rémi")
	frFemale = latinNames("Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise",
		"Hélène", "Chloé", "Zoé", "Léa", "Manon", "Camille", "Inès", "Anaïs", "Gaëlle",
		"Océane", "Émilie", "Cécile", "Marie-Claire", "Agnès", "Maëlle", "Noémie")
	frFamily = latinNames("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
		"Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia",
		"Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
		"Dupont", "Lambert", "Bonnet", "Le Goff", "Le Gall", "D'Almeida", "Béranger",
		"Chevalier", "Gauthier", "Rousseau", "Gérard", "Faure", "Hébert", "Lemaître", "N'Diaye")

	nlMale = latinNames("Jan", "Pieter", "Kees", "Johannes", "Willem", "Hendrik", "Daan", "Sem",
		"Lucas", "Levi", "Finn", "Bram", "Thijs", "Joost", "Maarten", "Sjoerd", "Gerrit",
		"Ruud", "Joep", "Teun", "Stijn", "Geert")
	nlFemale = latinNames("Maria", "Anna", "Johanna", "Emma", "Sophie", "Julia", "Tess", "Sanne",
		"Lotte", "Anouk", "Fleur", "Femke", "Marieke", "Ilse", "Noor", "Saskia", "Ineke",
		"Renée", "Chloë", "Zoë", "Eline", "Marloes")
	nlFamily = latinNames("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker",
		"Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos",
		"Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
		"Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
		"Vermeulen", "van 't Hof", "van der Heijden", "ter Horst", "Ĳzerman", "IJsselstein")

	trMale = latinNames("İsmail", "Ömer", "Çağlar", "Şükrü", "Ahmet", "Mehmet", "Mustafa", "Emre",
		"Burak", "Oğuz", "Ali", "Hüseyin", "İbrahim", "Yusuf", "Murat", "Gökhan", "Uğur",
		"Serkan", "Barış", "Volkan")
	trFemale = latinNames("Ayşe", "Fatma", "Zeynep", "Elif", "Gülşen", "Şule", "Özlem", "Büşra",
		"Merve", "İrem", "Nur", "Hatice", "Emine", "Sevgi", "Dilek", "Gizem", "Ebru", "Tuğba")
	trFamily = latinNames("Öztürk", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız",
		"Yıldırım", "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara",
		"Koç", "Kurt", "Özkan", "Şimşek", "Işık", "Güneş", "Acar", "Polat", "Aktaş", "Tekin")

	elMale = translit("Γιώργος|Giorgos", "Δημήτρης|Dimitris", "Κωνσταντίνος|Konstantinos",
		"Γιάννης|Giannis", "Νικόλαος|Nikolaos", "Παναγιώτης|Panagiotis", "Βασίλειος|Vasileios",
		"Χρήστος|Christos", "Αθανάσιος|Athanasios", "Μιχάλης|Michalis", "Ευάγγελος|Evangelos",
		"Σπύρος|Spyros", "Αλέξανδρος|Alexandros", "Θεόδωρος|Theodoros", "Ηλίας|Ilias")
	elFemale = translit("Μαρία|Maria", "Ελένη|Eleni", "Αικατερίνη|Aikaterini", "Βασιλική|Vasiliki",
		"Σοφία|Sofia", "Αγγελική|Angeliki", "Γεωργία|Georgia", "Δήμητρα|Dimitra",
		"Κωνσταντίνα|Konstantina", "Παρασκευή|Paraskevi", "Ευαγγελία|Evangelia",
		"Χριστίνα|Christina", "Ιωάννα|Ioanna", "Αναστασία|Anastasia", "Ευφροσύνη|Effrosyni")
	elFamily = translit("Παπαδόπουλος/Παπαδοπούλου|Papadopoulos/Papadopoulou",
		"Παπαγεωργίου|Papageorgiou", "Οικονόμου|Oikonomou", "Γεωργίου|Georgiou",
		"Νικολάου|Nikolaou", "Βασιλείου|Vasileiou", "Ιωάννου|Ioannou", "Δημητρίου|Dimitriou",
		"Κωνσταντίνου|Konstantinou", "Παπαδάκης/Παπαδάκη|Papadakis/Papadaki",
		"Αντωνίου|Antoniou", "Καραγιάννης/Καραγιάννη|Karagiannis/Karagianni",
		"Μακρής/Μακρή|Makris/Makri", "Αλεξίου|Alexiou",
		"Πετρόπουλος/Πετροπούλου|Petropoulos/Petropoulou", "Παππάς/Παππά|Pappas/Pappa",
		"Χατζηδάκης/Χατζηδάκη|Chatzidakis/Chatzidaki",
		"Σταυρόπουλος/Σταυροπούλου|Stavropoulos/Stavropoulou",
		"Μαυρίδης/Μαυρίδου|Mavridis/Mavridou", "Λαμπράκης/Λαμπράκη|Lamprakis/Lampraki",
		"Καραϊσκάκης/Καραϊσκάκη|Karaiskakis/Karaiskaki")

	ukMale = translit("Олександр|Oleksandr|Олександрович|Олександрівна",
		"Андрій|Andrii|Андрійович|Андріївна", "Сергій|Serhii|Сергійович|Сергіївна",
		"Володимир|Volodymyr|Володимирович|Володимирівна", "Дмитро|Dmytro|Дмитрович|Дмитрівна",
		"Іван|Ivan|Іванович|Іванівна", "Михайло|Mykhailo|Михайлович|Михайлівна",
		"Петро|Petro|Петрович|Петрівна", "Юрій|Yurii|Юрійович|Юріївна",
		"Тарас|Taras|Тарасович|Тарасівна", "Богдан|Bohdan|Богданович|Богданівна",
		"Євген|Yevhen|Євгенович|Євгенівна", "Олег|Oleh|Олегович|Олегівна",
		"Віктор|Viktor|Вікторович|Вікторівна", "Ігор|Ihor|Ігорович|Ігорівна")
	ukFemale = translit("Олена|Olena", "Наталія|Nataliia", "Тетяна|Tetiana", "Оксана|Oksana",
		"Юлія|Yuliia", "Ірина|Iryna", "Світлана|Svitlana", "Мар'яна|Mariana", "Ганна|Hanna",
		"Катерина|Kateryna", "Людмила|Liudmyla", "Вікторія|Viktoriia", "Софія|Sofiia",
		"Анастасія|Anastasiia", "Галина|Halyna", "Ольга|Olha", "Христина|Khrystyna")
	ukFamily = translit("Шевченко|Shevchenko", "Коваленко|Kovalenko", "Бондаренко|Bondarenko",
		"Ткаченко|Tkachenko", "Кравченко|Kravchenko", "Олійник|Oliinyk", "Мельник|Melnyk",
		"Шевчук|Shevchuk", "Коваль|Koval", "Бойко|Boiko", "Ковальчук|Kovalchuk",
		"Савченко|Savchenko", "Поліщук|Polishchuk", "Лисенко|Lysenko", "Руденко|Rudenko",
		"Ковальський/Ковальська|Kovalskyi/Kovalska", "Левицький/Левицька|Levytskyi/Levytska",
		"Заїка|Zaika", "Гнатюк|Hnatiuk", "Павлюк|Pavliuk", "Ґудзь|Gudz", "Д'яченко|Diachenko")

	jaMale = kanji("太郎|タロウ|taro", "翔太|ショウタ|shota", "大輔|ダイスケ|daisuke",
		"健太|ケンタ|kenta", "拓也|タクヤ|takuya", "蓮|レン|ren", "悠真|ユウマ|yuma",
		"大翔|ヒロト|hiroto", "陽翔|ハルト|haruto", "湊|ミナト|minato", "健一|ケンイチ|kenichi",
		"誠|マコト|makoto", "浩|ヒロシ|hiroshi", "隆|タカシ|takashi", "直樹|ナオキ|naoki",
		"和也|カズヤ|kazuya", "剛|ツヨシ|tsuyoshi", "修|オサム|osamu", "駿|シュン|shun")
	jaFemale = kanji("花子|ハナコ|hanako", "陽菜|ヒナ|hina", "結衣|ユイ|yui", "美咲|ミサキ|misaki",
		"さくら|サクラ|sakura", "葵|アオイ|aoi", "凛|リン|rin", "愛|アイ|ai", "由美子|ユミコ|yumiko",
		"恵子|ケイコ|keiko", "明美|アケミ|akemi", "真由美|マユミ|mayumi", "美穂|ミホ|miho",
		"優子|ユウコ|yuko", "結菜|ユナ|yuna", "千尋|チヒロ|chihiro", "智子|トモコ|tomoko",
		"芽依|メイ|mei", "静香|シズカ|shizuka")
	jaFamily = kanji("佐藤|サトウ|sato", "鈴木|スズキ|suzuki", "高橋|タカハシ|takahashi",
		"田中|タナカ|tanaka", "伊藤|イトウ|ito", "渡辺|ワタナベ|watanabe", "山本|ヤマモト|yamamoto",
		"中村|ナカムラ|nakamura", "小林|コバヤシ|kobayashi", "加藤|カトウ|kato", "吉田|ヨシダ|yoshida",
		"山田|ヤマダ|yamada", "佐々木|ササキ|sasaki", "山口|ヤマグチ|yamaguchi",
		"松本|マツモト|matsumoto", "井上|イノウエ|inoue", "木村|キムラ|kimura", "林|ハヤシ|hayashi",
		"斎藤|サイトウ|saito", "清水|シミズ|shimizu", "長谷川|ハセガワ|hasegawa", "後藤|ゴトウ|goto",
		"藤原|フジワラ|fujiwara", "近藤|コンドウ|kondo", "橋本|ハシモト|hashimoto")

	gbMale = latinNames("Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas",
		"Oscar", "William", "James", "David", "John", "Paul", "Mark", "Andrew", "Richard",
		"Christopher", "Daniel", "Liam", "Seán", "Rhys", "Dafydd", "Callum")
	gbFemale = latinNames("Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily",
		"Freya", "Chloe", "Sarah", "Emma", "Charlotte", "Elizabeth", "Margaret", "Susan",
		"Siobhán", "Niamh", "Aoife", "Zoë", "Renée", "Mary-Jane")
	gbFamily = latinNames("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans",
		"Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker",
		"White", "Edwards", "Hughes", "Green", "Hall", "Wood", "Harris", "Lewis", "Clarke",
		"O'Brien", "O'Connor", "O'Neill", "McDonald", "MacLeod", "D'Angelo", "Fitzgerald",
		"ap Rhys", "Ó Súilleabháin", "Patel", "Khan")

	brMale = latinNames("João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro",
		"Lucas", "Luiz", "Marcos", "Luís", "Gabriel", "Rafael", "Matheus", "Thiago", "Caio",
		"Vinícius", "Otávio", "Sebastião", "Raimundo")
	brFemale = latinNames("Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia",
		"Fernanda", "Patrícia", "Aline", "Luana", "Beatriz", "Letícia", "Gabriela", "Lúcia",
		"Conceição", "Vitória", "Ana Clara", "Maria Eduarda")
	brFamily = latinNames("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves",
		"Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo",
		"Gonçalves", "Conceição", "Magalhães", "Nascimento", "Sá", "Brandão", "da Silva",
		"dos Santos", "de Oliveira", "D'Ávila", "Assunção")
)
